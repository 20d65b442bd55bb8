"""Validation of the tables under data/ against data/datapackage.json.

Every table is checked with Frictionless before a notebook sees it: types,
required fields, enums, ranges, unique keys, foreign keys (source keys must be
rows of sources.csv, whose keys must be entries of book/references.bib) and the
row rules a resource declares under "compendium:rowConstraints". The first
problem raises TableError naming the file, row, column and rule. Kept apart
from loading (compendium.data) so the build can check a table without pandas.
"""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

from . import ROOT, relative_to_root
from .hashing import files_hash

DATA = ROOT / "data"
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


def bibliography_keys(path: Path = BIBLIOGRAPHY) -> set[str]:
    """The entry keys of references.bib."""
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
            return TableError(relative_to_root(path), row, column, rule)
    return None


def _row_rules(resource) -> dict[str, str]:
    return {c["formula"]: c["message"] for c in resource.custom.get("compendium:rowConstraints", [])}


def _read_bytes_as_utf8(path: Path) -> None:
    """Frictionless may guess another encoding; we accept UTF-8 only."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise TableError(relative_to_root(path), line - 1 if line > 1 else None, None,
                         f"encoding: the file is not UTF-8 (byte {exc.start})") from None
    if text.startswith("\ufeff"):
        raise TableError(relative_to_root(path), None, None, "encoding: UTF-8 with a byte-order mark; save without BOM")


def _check_header(resource, path: Path) -> None:
    """Columns must be the schema's, by name and in order (frictionless compares by position)."""
    with open(path, encoding="utf-8", newline="") as f:
        header = next(csv.reader(f), [])
    expected = resource.schema.field_names
    missing = [name for name in expected if name not in header]
    extra = [name for name in header if name not in expected]
    if missing:
        raise TableError(relative_to_root(path), None, missing[0], f"missing column: the header has no column '{missing[0]}'")
    if extra:
        raise TableError(relative_to_root(path), None, extra[0], f"extra column: '{extra[0]}' is not in the schema")
    if header != expected:
        raise TableError(relative_to_root(path), None, None, f"column order: expected {', '.join(expected)}")


def _validate_package(package_dir: Path) -> None:
    """Validate every table with Frictionless; raise TableError on the first problem."""
    from frictionless import Checklist, FrictionlessException, Package, checks  # slow import: only here

    descriptor = package_dir / "datapackage.json"
    try:
        package = Package(str(descriptor))
    except FrictionlessException as exc:
        raise TableError(relative_to_root(descriptor), None, None, str(exc.error.message)) from None
    for resource in package.resources:
        path = package_dir / resource.path
        if not path.exists():
            raise TableError(relative_to_root(path), None, None, "file not found")
        _read_bytes_as_utf8(path)
        _check_header(resource, path)
    for resource in package.resources:
        rules = [checks.row_constraint(formula=f) for f in _row_rules(resource)]
        report = resource.validate(Checklist(checks=rules), limit_errors=1)
        error = _first_error(report, package_dir, resource)
        if error:
            raise error
    _check_bibliography(package, package_dir)
    _check_printed_values(package_dir / package.get_resource("claims").path)
    _check_repeats(package_dir / package.get_resource("exclusions").path,
                   package_dir / package.get_resource("claims").path)


def _rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _check_printed_values(path: Path) -> None:
    """Each claim's value is the number its stated text prints (for a frequency, the
    yearly rate it implies), and its resolution a place value of the printed digits."""
    from .numbers import per_year, printed_value, resolution_bounds

    for i, row in enumerate(_rows(path), start=1):
        stated, value, resolution = row["stated"], float(row["value"]), float(row["resolution"])
        frequency = row["unit"] == "per_year"
        parsed = per_year(stated) if frequency else printed_value(stated)
        if parsed is None or abs(parsed - value) > 1e-9 * max(1, abs(value)):
            what = "the yearly rate it states" if frequency else "the number it prints"
            raise TableError(relative_to_root(path), i, "value",
                             f"{row['stated']!r} gives {parsed!r} as {what}, but value is {row['value']}")
        bounds = resolution_bounds(stated) or ((1.0, 1.0) if frequency else None)
        if bounds and not bounds[0] * (1 - 1e-9) <= resolution <= bounds[1] * (1 + 1e-9):
            raise TableError(relative_to_root(path), i, "resolution",
                             f"{row['stated']!r} prints digits down to {bounds[0]:g} (or, if its trailing "
                             f"zeros are not significant, {bounds[1]:g}); got {row['resolution']}")


def _check_repeats(path: Path, claims: Path) -> None:
    """An exclusion that repeats a registered claim names that claim's id."""
    ids = {row["claim_id"] for row in _rows(claims)}
    for i, row in enumerate(_rows(path), start=1):
        if row["reason"] == "repeats a registered claim" and not any(c in ids for c in re.findall(r"[a-z0-9-]+", row["note"])):
            raise TableError(relative_to_root(path), i, "note", "name the claim id that this fragment repeats "
                             "(a claim_id of data/raw/claims.csv)")


def _column_of(formula: str) -> str:
    """The column a row rule bounds: the last name compared in its formula."""
    names = re.findall(r"([a-z_]+)\s*[<>]=?", formula)
    return names[-1] if names else ""


def _bibliography() -> Path:
    return Path(os.environ.get("COMPENDIUM_BIB", BIBLIOGRAPHY))


def _check_bibliography(package, package_dir: Path) -> None:
    keys = bibliography_keys(_bibliography())
    sources = package.get_resource("sources")
    with open(package_dir / sources.path, encoding="utf-8", newline="") as f:
        keys_in_table = [row["key"] for row in csv.DictReader(f)]
    for i, key in enumerate(keys_in_table, start=1):
        if key not in keys:
            raise TableError(relative_to_root(package_dir / sources.path), i, "key",
                             f"foreign key: '{key}' is not an entry of book/references.bib")


_VALIDATED: set[str] = set()
# The build validates once, then tells the notebook kernels it starts which
# content it validated (a fingerprint), so each kernel need not import
# Frictionless and validate again. A kernel run by hand validates itself.
VALIDATED_ENV = "COMPENDIUM_VALIDATED"


def fingerprint() -> str:
    """Hash of everything validation depends on: tables, schema, bibliography, these rules."""
    package_dir = data_dir()
    files = [p for p in sorted(package_dir.rglob("*"))
             if p.is_file() and "derived" not in p.relative_to(package_dir).parts]
    return files_hash(files + [_bibliography(), Path(__file__)], package_dir)


def validate() -> str:
    """Validate every table of the package; raise TableError on the first problem.

    Returns the content fingerprint that was validated. Skipped when this
    process, or the build that started it, already validated that content.
    """
    digest = fingerprint()
    if digest in _VALIDATED or os.environ.get(VALIDATED_ENV) == digest:
        return digest
    _validate_package(data_dir())
    _VALIDATED.add(digest)
    return digest
