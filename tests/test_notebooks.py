"""Notebooks: each .ipynb is paired with its MyST text notebook and agrees with it,
carries a kernelspec and the run record of its last execution, opens with the
common skeleton, and glues exactly what its glue table holds."""

import ast
import csv
from pathlib import Path

import jupytext
import nbformat
import pytest

from compendium.book.execute import RECORD, cells_hash, environment_hash, why_stale

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
IDS = [p.stem for p in NOTEBOOKS]
SKELETON = ["## What this notebook checks", "## Inputs and outputs", "## Summary of verdicts"]


def cells(nb):
    return [(cell.cell_type, cell.source) for cell in nb.cells]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_agrees_with_its_text_notebook(path):
    text = path.parent / "md" / f"{path.stem}.md"
    assert text.exists(), f"{path.name} has no text notebook notebooks/md/{path.stem}.md"
    assert cells(nbformat.read(path, as_version=4)) == cells(jupytext.read(text)), (
        f"{path.name} and {text.name} disagree: edit the .md, then `make book` updates the .ipynb")


def test_every_text_notebook_has_its_notebook():
    texts = {p.stem for p in (ROOT / "notebooks" / "md").glob("*.md")}
    assert texts == set(IDS), "a text notebook without its executed .ipynb: run `make book` and commit it"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_kernelspec_and_a_current_run_record(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    record = nb.metadata[RECORD]
    assert record["cells"] == cells_hash(nb)
    assert record["environment"] == environment_hash(), "the package or pins changed since it ran: `make book`"
    assert why_stale(path, environment_hash()) is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_opens_with_the_skeleton(path):
    headings = [line for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "markdown"
                for line in cell.source.splitlines() if line.startswith("#")]
    assert headings[0].startswith("# "), "a title first"
    found = [h for h in headings if h in SKELETON]
    assert found == SKELETON, f"{path.name}: expected sections {SKELETON} in this order, found {found}"


def glued_in_outputs(nb) -> dict[str, str]:
    """{key: text/plain} of every myst_nb glue output."""
    glued = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                glued[name] = output["data"]["application/papermill.record/text/plain"]
    return glued


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_glue_table_holds_exactly_what_the_notebook_glued(path):
    table = ROOT / "data" / "derived" / f"glue-{path.stem}.csv"
    with open(table, encoding="utf-8", newline="") as f:
        written = {row["key"]: row["value"] for row in csv.DictReader(f)}
    glued = glued_in_outputs(nbformat.read(path, as_version=4))
    assert set(written) == set(glued)
    for key, value in written.items():
        # myst_nb shows the glued object's repr: '4,681,000' for a string, 47 for an int.
        assert value == str(ast.literal_eval(glued[key])), key
