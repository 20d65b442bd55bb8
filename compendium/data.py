"""Load the tables under data/ (validated first, see compendium.schema) and
write derived tables; log what a notebook reads, for the build's executor."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pandas as pd

from .hashing import file_hash, sha256
from .schema import data_dir, validate


def derived_dir() -> Path:
    """Where notebooks write derived tables (tests redirect it)."""
    return Path(os.environ.get("COMPENDIUM_DERIVED_DIR", data_dir() / "derived"))


def _note_read(path: Path, content: bytes | None = None) -> None:
    """Append '<sha256> <path>' to the log the build's executor named, if any.

    The hash is of the bytes actually used, taken when they were read, so a file
    rewritten later by another notebook counts as a change.
    """
    log = os.environ.get("COMPENDIUM_READS_FILE")
    if log:
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"{file_hash(path, content)} {Path(path).resolve()}\n")


def _read_csv(path: Path) -> pd.DataFrame:
    """A CSV as strings, parsed from the very bytes logged as read."""
    content = path.read_bytes()
    _note_read(path, content)
    return pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False, encoding="utf-8")


def _descriptor() -> dict:
    path = data_dir() / "datapackage.json"
    content = path.read_bytes()
    _note_read(path, content)
    return json.loads(content)


_PANDAS_TYPES = {"string": "string", "integer": "Int64", "number": "Float64", "boolean": "boolean"}


def load_table(name: str) -> pd.DataFrame:
    """A validated table as a DataFrame with the schema's column types."""
    validate()
    resources = {r["name"]: r for r in _descriptor()["resources"]}
    if name not in resources:
        raise KeyError(f"no table {name!r} in data/datapackage.json")
    resource = resources[name]
    frame = _read_csv(data_dir() / resource["path"])
    for field in resource["schema"]["fields"]:
        column, kind = frame[field["name"]], field["type"]
        if kind in ("integer", "number"):
            frame[field["name"]] = pd.to_numeric(column.replace("", None)).astype(_PANDAS_TYPES[kind])
        elif kind == "boolean":
            frame[field["name"]] = column.str.lower().map({"true": True, "false": False}).astype("boolean")
        else:
            frame[field["name"]] = column.astype("string")
    return frame


def load_derived(name: str) -> pd.DataFrame:
    """A table that a notebook wrote under data/derived/ (always the committed copy)."""
    return _read_csv(data_dir() / "derived" / f"{name}.csv")


def write_if_changed(target: Path, content: bytes) -> None:
    """Replace target atomically, and only if its bytes change (keeps mtimes for rebuilds)."""
    if target.exists() and target.read_bytes() == content:
        return
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_bytes(content)
    os.replace(tmp, target)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A table as the compendium writes CSV: UTF-8, no index, Unix line ends."""
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def write_derived(frame: pd.DataFrame, name: str) -> str:
    """Write data/derived/<name>.csv atomically; return a line naming it and its SHA-256.

    The line goes into the notebook's output, so nbval fails when the content
    changes and a test can compare the committed file with the committed hash.
    """
    out_dir = derived_dir()
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{name}.csv"
    content = csv_bytes(frame)
    write_if_changed(target, content)
    return f"wrote data/derived/{name}.csv: {len(frame)} rows, sha256 {sha256(content)}"
