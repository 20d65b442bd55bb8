"""Load the tables under data/, validated against data/datapackage.json.

Every table is checked with Frictionless before a notebook sees it: types,
required fields, enums, ranges, unique keys, foreign keys (source keys must be
rows of sources.csv, whose keys must be entries of book/references.bib) and the
row rules a resource declares under "compendium:rowConstraints". The first
problem raises TableError naming the file, row, column and rule.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
from functools import lru_cache
from pathlib import Path

import pandas as pd
from frictionless import Checklist, FrictionlessException, Package, checks

from . import ROOT

DATA = ROOT / "data"
DESCRIPTOR = DATA / "datapackage.json"
BIBLIOGRAPHY = ROOT / "book" / "references.bib"


class TableError(ValueError):
    """A table under data/ broke a rule of its schema."""

    def __init__(self, path, row, column, rule):
        self.path, self.row, self.column, self.rule = path, row, column, rule
        where = [str(path)]
        if row is not None:
            where.append(f"row {row} (line {row + 1})")
        if column:
            where.append(f"column '{column}'")
        super().__init__(", ".join(where) + f": {rule}")


def data_dir() -> Path:
    """The folder holding datapackage.json (tests point it at a copy)."""
    return Path(os.environ.get("COMPENDIUM_DATA_DIR", DATA))


def derived_dir() -> Path:
    """Where notebooks write derived tables (tests redirect it)."""
    return Path(os.environ.get("COMPENDIUM_DERIVED_DIR", data_dir() / "derived"))


def _log(variable: str, path: Path) -> None:
    log = os.environ.get(variable)
    if log:
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"{Path(path).resolve()}\n")


def _note_read(path: Path) -> None:
    """Tell the build executor (compendium.execute) which files this notebook read."""
    _log("COMPENDIUM_READS_FILE", path)


def bibliography_keys(path: Path = BIBLIOGRAPHY) -> set[str]:
    """The entry keys of references.bib."""
    _note_read(path)
    text = Path(path).read_text(encoding="utf-8")
    return set(re.findall(r"^@\w+\{([^,\s]+),", text, flags=re.M))


def _describe(error, resource) -> str:
    """One plain sentence for a frictionless error: the rule, and what was found."""
    field = resource.schema.get_field(error.field_name) if getattr(error, "field_name", None) \
        and resource.schema.has_field(error.field_name) else None
    cell = getattr(error, "cell", None)
    got = f"; got {cell!r}" if cell not in (None, "") else ""
    kind = error.type
    if kind == "type-error" and field is not None:
        return f"type: expected a {field.type}{got}"
    if kind == "constraint-error" and field is not None:
        if error.note.startswith('constraint "required"'):
            return "required: the cell is empty"
        return f"constraint: {error.note}{got}"
    if kind == "missing-label":
        return f"missing column: the header has no column '{error.field_name}'"
    if kind == "extra-label":
        return f"extra column: '{error.label}' is not in the schema"
    if kind == "blank-label":
        return "blank column name in the header"
    if kind == "duplicate-label":
        return f"duplicate column name '{error.label}'"
    if kind in ("missing-cell", "extra-cell"):
        return f"{kind}: the row has a different number of cells than the header"
    if kind in ("unique-error", "primary-key"):
        return f"unique: {cell!r} appears in an earlier row too"
    if kind == "foreign-key":
        return f"foreign key: {error.note}"
    return f"{kind}: {error.note}"


def _first_error(report, package_dir: Path, resource) -> TableError | None:
    for task in report.tasks:
        for error in task.errors:
            path = package_dir / resource.path
            row = getattr(error, "row_number", None)
            column = getattr(error, "field_name", None) or ", ".join(getattr(error, "field_names", []) or [])
            rule = _describe(error, resource)
            for formula, message in _row_rules(resource).items():
                if formula in error.note:
                    column, rule = _column_of(formula), f"row rule: {message} ({formula})"
            if row is not None:
                row = row - 1  # frictionless counts the header as row 1
            return TableError(_relative(path), row, column, rule)
    return None


def _row_rules(resource) -> dict[str, str]:
    return {c["formula"]: c["message"] for c in resource.custom.get("compendium:rowConstraints", [])}


def _relative(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def _read_bytes_as_utf8(path: Path) -> None:
    """Frictionless may guess another encoding; we accept UTF-8 only."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise TableError(_relative(path), line - 1 if line > 1 else None, None,
                         f"encoding: the file is not UTF-8 (byte {exc.start})") from None
    if text.startswith("\ufeff"):
        raise TableError(_relative(path), None, None, "encoding: UTF-8 with a byte-order mark; save without BOM")


def _check_header(resource, path: Path) -> None:
    """Columns must be the schema's, by name and in order (frictionless compares by position)."""
    with open(path, encoding="utf-8", newline="") as f:
        header = next(csv.reader(f), [])
    expected = resource.schema.field_names
    missing = [name for name in expected if name not in header]
    extra = [name for name in header if name not in expected]
    if missing:
        raise TableError(_relative(path), None, missing[0], f"missing column: the header has no column '{missing[0]}'")
    if extra:
        raise TableError(_relative(path), None, extra[0], f"extra column: '{extra[0]}' is not in the schema")
    if header != expected:
        raise TableError(_relative(path), None, None, f"column order: expected {', '.join(expected)}")


@lru_cache(maxsize=None)
def _validated_package(descriptor: str, fingerprint: str) -> Package:
    package_dir = Path(descriptor).parent
    try:
        package = Package(descriptor)
    except FrictionlessException as exc:
        raise TableError(_relative(Path(descriptor)), None, None, str(exc.error.message)) from None
    for resource in package.resources:
        path = package_dir / resource.path
        if not path.exists():
            raise TableError(_relative(path), None, None, "file not found")
        _read_bytes_as_utf8(path)
        _check_header(resource, path)
    for resource in package.resources:
        rules = [checks.row_constraint(formula=f) for f in _row_rules(resource)]
        report = resource.validate(Checklist(checks=rules), limit_errors=1)
        error = _first_error(report, package_dir, resource)
        if error:
            raise error
    _check_bibliography(package, package_dir)
    return package


def _column_of(formula: str) -> str:
    """The column a row rule bounds: the last name compared in its formula."""
    names = re.findall(r"([a-z_]+)\s*[<>]=?", formula)
    return names[-1] if names else ""


def _check_bibliography(package: Package, package_dir: Path) -> None:
    keys = bibliography_keys(Path(os.environ.get("COMPENDIUM_BIB", BIBLIOGRAPHY)))
    sources = package.get_resource("sources")
    frame = pd.read_csv(package_dir / sources.path, dtype=str, keep_default_na=False)
    for i, key in enumerate(frame["key"], start=1):
        if key not in keys:
            raise TableError(_relative(package_dir / sources.path), i, "key",
                             f"foreign key: '{key}' is not an entry of book/references.bib")


def _fingerprint(package_dir: Path) -> str:
    """Content hash of every file of the package, so edits are never missed."""
    digest = hashlib.sha256()
    for path in sorted(package_dir.rglob("*")):
        if path.is_file() and "derived" not in path.relative_to(package_dir).parts:
            digest.update(str(path.relative_to(package_dir)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def validate() -> Package:
    """Validate every table of the package; raise TableError on the first problem."""
    package_dir = data_dir()
    return _validated_package(str(package_dir / "datapackage.json"), _fingerprint(package_dir))


_PANDAS_TYPES = {"string": "string", "integer": "Int64", "number": "Float64", "boolean": "boolean"}


def load_table(name: str) -> pd.DataFrame:
    """A validated table as a DataFrame with the schema's column types."""
    package = validate()
    resource = package.get_resource(name)
    path = data_dir() / resource.path
    _note_read(data_dir() / "datapackage.json")
    _note_read(path)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    for field in resource.schema.fields:
        column = frame[field.name]
        if field.type in ("integer", "number"):
            frame[field.name] = pd.to_numeric(column.replace("", None)).astype(_PANDAS_TYPES[field.type])
        elif field.type == "boolean":
            frame[field.name] = column.str.lower().map({"true": True, "false": False}).astype("boolean")
        else:
            frame[field.name] = column.astype("string")
    return frame


def derived_tables(prefix: str) -> list[str]:
    """Names of the committed derived tables starting with prefix (the listing is a dependency)."""
    folder = data_dir() / "derived"
    _note_read(folder)
    return sorted(p.stem for p in folder.glob(f"{prefix}*.csv"))


def load_derived(name: str) -> pd.DataFrame:
    """A table that a notebook wrote under data/derived/ (always the committed copy)."""
    path = data_dir() / "derived" / f"{name}.csv"
    _note_read(path)
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def write_if_changed(target: Path, content: bytes) -> None:
    """Replace target atomically, and only if its bytes change (keeps mtimes for rebuilds)."""
    _log("COMPENDIUM_WRITES_FILE", target)
    if target.exists() and target.read_bytes() == content:
        return
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_bytes(content)
    os.replace(tmp, target)


def write_derived(frame: pd.DataFrame, name: str) -> str:
    """Write data/derived/<name>.csv atomically; return a line naming it and its SHA-256.

    The line goes into the notebook's output, so nbval fails when the content
    changes and a test can compare the committed file with the committed hash.
    """
    out_dir = derived_dir()
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{name}.csv"
    text = frame.to_csv(index=False, lineterminator="\n")
    write_if_changed(target, text.encode("utf-8"))
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return f"wrote data/derived/{name}.csv: {len(frame)} rows, sha256 {digest}"
