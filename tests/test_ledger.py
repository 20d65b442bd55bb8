"""The ledger: contract columns, one row per register claim, verdicts as the register
expects, and committed derived files that match what the committed notebooks wrote."""

import hashlib
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from compendium.checks import VERDICTS
from compendium.data import load_table
from compendium.ledger import LEDGER_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
DERIVED = ROOT / "data" / "derived"
CONTRACT = ["claim_id", "source", "locator", "quote", "stated", "value", "unit",
            "verdict", "recomputed", "method", "note", "notebook"]  # DESIGN.md


def read(name):
    return pd.read_csv(DERIVED / name, dtype=str, keep_default_na=False)


def test_ledger_has_the_contract_columns():
    assert LEDGER_COLUMNS == CONTRACT
    assert list(read("ledger.csv").columns) == CONTRACT


def test_every_register_claim_once():
    ledger, register = read("ledger.csv"), load_table("claims")
    assert ledger["claim_id"].is_unique
    assert sorted(ledger["claim_id"]) == sorted(register["claim_id"])


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


def test_unverifiable_claims_say_what_is_needed_and_checked_ones_say_how():
    ledger = read("ledger.csv")
    unverifiable = ledger[ledger["verdict"] == "unverifiable"]
    assert (unverifiable["note"].str.len() > 20).all()
    assert (unverifiable["method"] == "").all()
    checked = ledger[ledger["verdict"] != "unverifiable"]
    assert (checked["method"].str.len() > 0).all()
    discrepancies = ledger[ledger["verdict"] == "discrepancy"]
    assert discrepancies["method"].str.contains("FAILS").all()


def test_ledger_joins_the_topic_judgements():
    parts = [read(p.name) for p in sorted(DERIVED.glob("judgements-*.csv"))]
    assert parts, "no judgements files"
    pd.testing.assert_frame_equal(pd.concat(parts, ignore_index=True), read("ledger.csv"))


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
    assert {f for f, _, _ in written} == {f"data/derived/{p.name}" for p in DERIVED.glob("*.csv")}
    for name, rows, digest in written:
        content = (ROOT / name).read_bytes()
        assert hashlib.sha256(content).hexdigest() == digest, f"{name} is stale: re-run `make book`"
        assert len(pd.read_csv(ROOT / name)) == int(rows)


@pytest.mark.parametrize("verdict", VERDICTS)
def test_summary_counts_match_ledger(verdict):
    """The counts the ledger notebook glues equal a count of the committed ledger."""
    nb = nbformat.read(ROOT / "notebooks" / "ledger.ipynb", as_version=4)
    glued = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "application/papermill.record/text/plain" in data:
                glued[output["metadata"]["scrapbook"]["name"]] = data["application/papermill.record/text/plain"]
    expected = int((read("ledger.csv")["verdict"] == verdict).sum())
    assert int(glued[f"n_{verdict}"]) == expected
