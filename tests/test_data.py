"""Bad input: each broken table gives one clear error naming file, row, column and
rule, and nothing downstream is written."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from compendium import data, schema

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A copy of data/ and the bibliography that the loader reads instead of the real ones."""
    shutil.copytree(ROOT / "data", tmp_path / "data", ignore=shutil.ignore_patterns("derived"))
    (tmp_path / "data" / "derived").mkdir()
    shutil.copy(ROOT / "book" / "references.bib", tmp_path / "references.bib")
    monkeypatch.setenv("COMPENDIUM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COMPENDIUM_BIB", str(tmp_path / "references.bib"))
    return tmp_path


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test set-up: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    """1-based data row (header excluded) of the first line containing needle."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        if needle in line:
            return number
    raise AssertionError(needle)


CLAIMS = "raw/claims.csv"
SCHEDULES = "raw/dcs_schedules.csv"
SOURCES = "raw/sources.csv"
EXCLUSIONS = "raw/exclusions.csv"


def drop_column(path: Path, column: str) -> None:
    import csv
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    index = rows[0].index(column)
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows([r[:index] + r[index + 1:] for r in rows])


# (case, file, mutation, needle identifying the broken row or None, column, words the rule must contain)
CASES = [
    ("missing column", CLAIMS, lambda p: drop_column(p, "unit"), None, "unit", "missing column"),
    ("extra column", SOURCES, lambda p: edit(p, "key,role,label", "key,role,label,url"), None, "url", "extra column"),
    ("wrong type", CLAIMS, lambda p: edit(p, ",785900,persons,", ",many,persons,"), "dcs-registry-2007", "value", "expected a number"),
    ("malformed number", CLAIMS, lambda p: edit(p, ",785900,persons,", ',"1,2,3",persons,'), "dcs-registry-2007", "value", "expected a number; got '1,2,3'"),
    ("duplicate claim id", CLAIMS, lambda p: edit(p, "dcs-registry-2007,", "dcs-launch-year,"), "785,900", "claim_id", "unique"),
    ("unknown source key", CLAIMS, lambda p: edit(p, "dcs-alerts-total,lin2022,", "dcs-alerts-total,lin2033,"), "dcs-alerts-total", "source", "foreign key"),
    ("empty quote", CLAIMS, lambda p: edit(p, "and renting a home (72%).", ""), "dcs-survey-renting", "quote", "required"),
    ("percentage over 100", CLAIMS, lambda p: edit(p, "92%,92,percent", "92%,192,percent"), "dcs-survey-accommodation", "value", "between 0 and 100"),
    ("negative count", CLAIMS, lambda p: edit(p, ",3640,alerts,", ",-3640,alerts,"), "dcs-alerts-total,", "value", "minimum"),
    ("unknown unit", CLAIMS, lambda p: edit(p, ",51,alerts,", ",51,alarms,"), "dcs-alerts-drug-related", "unit", "foreign key"),
    ("unknown verdict", CLAIMS, lambda p: edit(p, "90%,90,percent,1,,unverifiable", "90%,90,percent,1,,plausible"), "dcs-survey-medication-fear", "expected_verdict", "enum"),
    ("value not the printed number", CLAIMS, lambda p: edit(p, ",785900,persons,", ",785000,persons,"), "dcs-registry-2007", "value", "'785,900' gives 785900.0"),
    ("resolution finer than printed", CLAIMS, lambda p: edit(p, "73.5%,73.5,percent,0.1", "73.5%,73.5,percent,0.01"), "dcs-survey-reluctant-advocate", "resolution", "prints digits down to 0.1"),
    ("frequency not its yearly rate", CLAIMS, lambda p: edit(p, "Once a month,12,per_year", "Once a month,13,per_year"), "dcs-table1-high-counseling", "value", "yearly rate"),
    ("unknown exclusion reason", EXCLUSIONS, lambda p: edit(p, ",footnote or reference marker,note 1\n", ",footnote,note 1\n"), "treatment rose sharply.1", "reason", "enum"),
    ("repeat names no claim", EXCLUSIONS, lambda p: edit(p, "repeats a registered claim,dcs-registry-2019-total", "repeats a registered claim,the registry total"), "millions of people who live", "note", "name the claim id"),
    ("blank required field", CLAIMS, lambda p: edit(p, "dcs-zhahua-urinalysis,lin2022,dcs,Conclusion,", "dcs-zhahua-urinalysis,lin2022,dcs,,"), "dcs-zhahua-urinalysis", "locator", "required"),
    ("ragged row", CLAIMS, lambda p: edit(p, ",5,days,1,at most,unverifiable", ",5,days,1,at most,unverifiable,extra"), "dcs-penalty-detention-days", None, "number of cells"),
    ("zero in a positive count", SCHEDULES, lambda p: edit(p, "High risk,urine test,1,1,month", "High risk,urine test,0,1,month"), "table1-high-urine", "times", "minimum"),
    ("malformed boolean", SCHEDULES, lambda p: edit(p, "Low risk,urine test,1,1,year,true", "Low risk,urine test,1,1,year,yes"), "table1-low-urine", "minimum", "expected a boolean"),
    ("schedule names a missing claim", SCHEDULES, lambda p: edit(p, ",dcs-zhahua-urinalysis", ",dcs-zhahua-urinalysys"), "zhahua-not-dependent", "claim_id", "foreign key"),
]


@pytest.mark.parametrize("case, relative, mutate, needle, column, words", CASES, ids=[c[0] for c in CASES])
def test_bad_input_names_file_row_column_and_rule(data_copy, case, relative, mutate, needle, column, words):
    path = data_copy / "data" / relative
    expected_row = line_of(path, needle) if needle else None
    mutate(path)
    with pytest.raises(schema.TableError) as caught:
        data.load_table("claims")
    error = caught.value
    assert error.path.endswith(relative), str(error)
    assert error.row == expected_row, str(error)
    if column:
        assert error.column == column, str(error)
    assert words in error.rule, str(error)
    assert relative in str(error) and (f"row {expected_row}" in str(error) if expected_row else True)


def test_not_utf8(data_copy):
    path = data_copy / "data" / CLAIMS
    text = path.read_text(encoding="utf-8")
    path.write_bytes(text.replace("≥", "\u00e9").encode("latin-1", errors="replace"))
    with pytest.raises(schema.TableError) as caught:
        data.load_table("claims")
    assert caught.value.path.endswith(CLAIMS)
    assert "not UTF-8" in caught.value.rule
    assert caught.value.row == line_of(ROOT / "data" / CLAIMS, "≥")


def test_source_key_missing_from_bibliography(data_copy):
    bib = data_copy / "references.bib"
    edit(bib, "@article{yap2015,", "@article{yap2015x,")
    with pytest.raises(schema.TableError) as caught:
        data.load_table("claims")
    error = caught.value
    assert error.path.endswith(SOURCES) and error.column == "key"
    assert error.row == line_of(data_copy / "data" / SOURCES, "yap2015,")
    assert "references.bib" in error.rule


def test_missing_file(data_copy):
    (data_copy / "data" / SCHEDULES).unlink()
    with pytest.raises(schema.TableError, match="dcs_schedules.csv.*file not found"):
        data.load_table("claims")


def test_good_tables_load_with_schema_types():
    claims = data.load_table("claims")
    assert str(claims["value"].dtype) == "Float64"
    assert claims["claim_id"].is_unique
    schedules = data.load_table("dcs_schedules")
    assert str(schedules["times"].dtype) == "Int64" and str(schedules["minimum"].dtype) == "boolean"


def test_failing_notebook_writes_nothing(data_copy, tmp_path, monkeypatch):
    """A bad row stops the chapter notebook before any derived table or figure is written."""
    edit(data_copy / "data" / CLAIMS, ",785900,persons,", ',"1,2,3",persons,')
    out = tmp_path / "out"
    monkeypatch.setenv("COMPENDIUM_DERIVED_DIR", str(out / "derived"))  # the kernel inherits these
    monkeypatch.setenv("COMPENDIUM_FIGURES_DIR", str(out / "figures"))
    nb = nbformat.read(ROOT / "notebooks" / "dcs.ipynb", as_version=4)
    with pytest.raises(CellExecutionError) as caught:
        NotebookClient(nb, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    row = line_of(ROOT / "data" / CLAIMS, "dcs-registry-2007,")
    assert f"claims.csv, row {row} (line {row + 1}), column 'value'" in str(caught.value)
    assert not out.exists() or not any(out.rglob("*")), list(out.rglob("*"))


def test_build_stops_before_any_notebook_runs(data_copy):
    """`make book`'s first step refuses bad data and leaves notebooks and derived tables alone."""
    edit(data_copy / "data" / CLAIMS, "92%,92,percent", "92%,192,percent")
    watched = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "data" / "derived").glob("*.csv"))
    before = {p: p.read_bytes() for p in watched}
    result = subprocess.run([sys.executable, "-m", "compendium.book.execute"], cwd=ROOT, capture_output=True,
                            text=True, env={**os.environ})
    assert result.returncode == 1
    assert "claims.csv, row" in result.stderr and "column 'value'" in result.stderr
    assert "executing" not in result.stdout
    assert {p: p.read_bytes() for p in watched} == before
