"""The ledger: contract columns, one row per register claim, verdicts as the register
expects, assembled from the judgements by a plain function that refuses bad input
and never leaves a half-written file, and committed files that match what the
committed notebooks wrote."""

import hashlib
import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from compendium.checks import VERDICTS
from compendium.data import load_table
from compendium.ledger import assemble_ledger
from compendium.schema import TableError

ROOT = Path(__file__).resolve().parents[1]
DERIVED = ROOT / "data" / "derived"
CONTRACT = ["claim_id", "source", "locator", "quote", "stated", "value", "unit",
            "verdict", "recomputed", "method", "note", "notebook"]  # DESIGN.md


def read(name, folder=DERIVED):
    return pd.read_csv(folder / name, dtype=str, keep_default_na=False)


def test_ledger_has_the_contract_columns_then_would_settle_and_cell():
    ledger = read("ledger.csv")
    assert list(ledger.columns) == CONTRACT + ["would_settle", "cell"]
    # Every claim was judged in an executing notebook cell, which the book links to.
    assert ledger["cell"].str.fullmatch(r"[0-9a-f]{12}").all()


def test_every_register_claim_once_in_register_order():
    ledger, register = read("ledger.csv"), load_table("claims")
    assert list(ledger["claim_id"]) == list(register["claim_id"])


def test_verdicts_are_what_the_register_expects():
    """A verdict that changes fails here until data/raw/claims.csv says so."""
    ledger = read("ledger.csv").set_index("claim_id")
    register = load_table("claims").set_index("claim_id")
    assert set(ledger["verdict"]) <= set(VERDICTS)
    changed = {c: (register.loc[c, "expected_verdict"], v) for c, v in ledger["verdict"].items()
               if register.loc[c, "expected_verdict"] != v}
    assert not changed, f"verdict changed (register expects, notebooks give): {changed}"


def test_ledger_rows_echo_the_register():
    ledger = read("ledger.csv").set_index("claim_id")
    register = load_table("claims").set_index("claim_id")
    for column in ["source", "locator", "quote", "stated", "unit"]:
        assert (ledger[column] == register.loc[ledger.index, column].astype(str)).all(), column


def test_unverifiable_claims_say_what_would_settle_them_and_checked_ones_say_how():
    ledger = read("ledger.csv")
    unverifiable = ledger[ledger["verdict"] == "unverifiable"]
    assert (unverifiable["would_settle"].str.len() > 10).all()
    # An unverifiable claim may show checks, but only checks that could not have failed.
    # (A check with power is described as "name (rule) passes: ..."; one without as "... passes, NO POWER".)
    assert not unverifiable["method"].str.contains(r"\) (?:passes|FAILS): ", regex=True).any()
    assert unverifiable.loc[unverifiable["method"] != "", "method"].str.contains("NO POWER").all()
    checked = ledger[ledger["verdict"] != "unverifiable"]
    assert (checked["method"].str.len() > 0).all()
    discrepancies = ledger[ledger["verdict"] == "discrepancy"]
    assert discrepancies["method"].str.contains("FAILS").all()


@pytest.fixture
def judgements(tmp_path):
    """A folder holding copies of the committed judgements files."""
    for path in DERIVED.glob("judgements-*.csv"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def test_committed_ledger_is_what_the_judgements_assemble_to(judgements):
    assemble_ledger(judgements)
    for name in ("ledger.csv", "glue-ledger.csv"):
        assert (judgements / name).read_bytes() == (DERIVED / name).read_bytes(), f"{name} is stale: run `make book`"


def test_glued_ledger_counts_are_a_count_of_the_ledger():
    ledger = read("ledger.csv")
    glued = dict(read("glue-ledger.csv").itertuples(index=False))
    assert int(glued["n_claims"]) == len(ledger)
    for verdict in VERDICTS:
        assert int(glued[f"n_{verdict}"]) == int((ledger["verdict"] == verdict).sum()), verdict


def edit_row(path, claim_id, column, value):
    """Set one cell of a judgements file; return its 1-based data row."""
    frame = read(path.name, path.parent)
    row = int(frame.index[frame["claim_id"] == claim_id][0])
    frame.loc[row, column] = value
    frame.to_csv(path, index=False, lineterminator="\n")
    return row + 1


BAD = [
    ("unknown claim id", "claim_id", "dcs-no-such-claim", "unknown claim id 'dcs-no-such-claim'"),
    ("unknown verdict", "verdict", "plausible", "expected one of reproduced, consistent"),
]


@pytest.mark.parametrize("case, column, value, words", BAD, ids=[b[0] for b in BAD])
def test_bad_judgements_name_file_row_and_column_and_write_nothing(judgements, case, column, value, words):
    path = judgements / "judgements-dcs.csv"
    row = edit_row(path, "dcs-alerts-total", column, value)
    with pytest.raises(TableError) as caught:
        assemble_ledger(judgements)
    error = caught.value
    assert error.path.endswith("judgements-dcs.csv") and error.row == row and error.column == column, str(error)
    assert words in error.rule
    assert not (judgements / "ledger.csv").exists()


def test_a_register_claim_no_notebook_judges_fails(judgements):
    path = judgements / "judgements-dcs.csv"
    frame = read(path.name, judgements)
    frame[frame["claim_id"] != "dcs-alerts-total"].to_csv(path, index=False, lineterminator="\n")
    with pytest.raises(TableError) as caught:
        assemble_ledger(judgements)
    assert caught.value.path == "data/raw/claims.csv" and caught.value.column == "claim_id"
    assert "no notebook judges dcs-alerts-total" in caught.value.rule
    assert caught.value.row == list(load_table("claims")["claim_id"]).index("dcs-alerts-total") + 1


def test_a_failed_assembly_leaves_the_old_ledger_whole(judgements):
    assemble_ledger(judgements)
    before = (judgements / "ledger.csv").read_bytes()
    edit_row(judgements / "judgements-dcs.csv", "dcs-alerts-total", "verdict", "maybe")
    with pytest.raises(TableError):
        assemble_ledger(judgements)
    assert (judgements / "ledger.csv").read_bytes() == before


WROTE = re.compile(r"wrote (data/derived/[\w.-]+\.csv): (\d+) rows, sha256 ([0-9a-f]{64})")


def written_by_notebooks():
    """(file, rows, sha256) for every 'wrote ...' line in the committed notebooks' outputs."""
    found = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            for output in cell.get("outputs", []):
                found += WROTE.findall(output.get("text", ""))
    return found


def test_committed_derived_files_are_what_the_notebooks_wrote():
    """nbval proves the notebooks still print these lines; this proves the files match them."""
    written = written_by_notebooks()
    by_build = {f"data/derived/{name}" for name in ("ledger.csv", "glue-ledger.csv", "coverage.csv", "glue-coverage.csv")}
    assert {f for f, _, _ in written} == {f"data/derived/{p.name}" for p in DERIVED.glob("*.csv")} - by_build
    for name, rows, digest in written:
        content = (ROOT / name).read_bytes()
        assert hashlib.sha256(content).hexdigest() == digest, f"{name} is stale: re-run `make book`"
        assert len(pd.read_csv(ROOT / name)) == int(rows)
