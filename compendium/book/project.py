"""A temporary copy of the project, for the rebuild tests and `make bench`.

Not part of what notebooks import: machinery for measuring and testing the build.
"""

from __future__ import annotations

import csv
import fnmatch
import io
import os
import shutil
import subprocess
from pathlib import Path


def project_files(root: Path) -> list[str]:
    """The project's files, relative to root: what git tracks or would track.

    In a git checkout: tracked plus untracked-but-not-ignored files (new files
    count). In a copy, which has no .git: every file not matched by .gitignore.
    """
    try:
        top = subprocess.run(["git", "-C", str(root), "rev-parse", "--show-toplevel"],
                             capture_output=True, text=True, check=True).stdout.strip()
        if Path(top).resolve() == root.resolve():
            out = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--cached", "--others",
                                  "--exclude-standard"], capture_output=True, check=True).stdout
            return sorted(name for name in out.decode().split("\0") if name)
    except (OSError, subprocess.CalledProcessError):
        pass
    ignore = [".git"]
    gitignore = root / ".gitignore"
    if gitignore.exists():
        ignore += [line.strip().rstrip("/") for line in gitignore.read_text().splitlines()
                   if line.strip() and not line.startswith("#")]
    files = []
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        if any(fnmatch.fnmatch(part, pattern) for part in relative.parts for pattern in ignore):
            continue
        if path.is_file():
            files.append(relative.as_posix())
    return sorted(files)


def copy_project(root: Path, dest: Path) -> None:
    """Copy the project's working-tree files (not .venv, not _build) to dest.

    copy2 keeps modification times, so make sees the same order of files as here.
    """
    for name in project_files(root):
        source = root / name
        if not source.is_file():  # tracked but deleted in the working tree
            continue
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def project_env(root: Path) -> dict:
    """The environment for commands run in a copy: its own package, no test redirects."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPENDIUM_")}
    env["PYTHONPATH"] = str(root)
    return env


def set_cell(path: Path, key_column: str, key: str, column: str, value: str) -> None:
    """Set one cell of a CSV table, leaving the other rows as they are."""
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8"), newline="")))
    header = rows[0]
    matches = [row for row in rows[1:] if row[header.index(key_column)] == key]
    if len(matches) != 1:
        raise KeyError(f"{path}: {len(matches)} rows with {key_column} = {key!r}")
    matches[0][header.index(column)] = value
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_bytes(out.getvalue().encode("utf-8"))
