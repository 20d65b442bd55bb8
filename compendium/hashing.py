"""Content hashes, the one way the build decides what changed (never by mtime)."""

from __future__ import annotations

import hashlib
from pathlib import Path


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_hash(path: Path, content: bytes | None = None) -> str | None:
    """Hash of a file's bytes (given, or read now), of a folder's sorted listing, or None if absent."""
    path = Path(path)
    if content is not None:
        return sha256(content)
    if path.is_dir():
        return sha256("\n".join(sorted(p.name for p in path.iterdir())).encode())
    return sha256(path.read_bytes()) if path.exists() else None


def files_hash(paths, root: Path) -> str:
    """One hash of several files' paths (relative to root) and bytes; absent files count as empty."""
    digest = hashlib.sha256()
    for path in paths:
        path = Path(path)
        name = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
        digest.update(name.encode() + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"")
    return digest.hexdigest()
