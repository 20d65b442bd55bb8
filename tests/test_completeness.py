"""Completeness against the publications' texts: every number is a claim or an
exclusion, every quote and fragment is verbatim, every locator names a heading,
every Chinese term is in the glossary, and the committed coverage is current.

The texts are in ../shared/sources, which a reader's clone does not have: there
every test here is skipped with one message naming the missing folder (and
pytest's summary line counts them as skipped).
"""

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from compendium import completeness
from compendium.data import load_table
from compendium.glossary import characters_not_printed
from compendium.quotes import find_all, find_quote
from compendium.schema import TableError

ROOT = Path(__file__).resolve().parents[1]
SOURCES = completeness.sources_dir()
RESEARCH = SOURCES.parent / "research" / "primary-sources.md"
pytestmark = pytest.mark.skipif(not SOURCES.is_dir(), reason=f"{SOURCES} (the publications' texts) is absent")
PUBLICATIONS = ["tibke2017", "lin2022", "hivandhepatitis2015", "ma2016", "unodc2022"]
HAN_RUN = re.compile(r"[\u4e00-\u9fff](?:[\u4e00-\u9fff]|\s+(?=[\u4e00-\u9fff]))*")


def complete_publications():
    sources = load_table("sources")
    return list(sources.loc[(sources["role"] == "publication") & sources["complete"].fillna(False), "key"])


@pytest.mark.parametrize("key", PUBLICATIONS)
def test_quotes_locators_and_fragments_are_in_the_text(key):
    """coverage() raises, naming file, row and column, on any quote, locator or fragment not in the text."""
    table = completeness.coverage(key)
    assert len(table) > 0


@pytest.mark.parametrize("key", complete_publications())
def test_a_complete_publication_has_no_open_number(key):
    table = completeness.coverage(key)
    open_tokens = table[table["status"] == "open"]
    assert open_tokens.empty, f"{key} is marked complete, but these numbers are neither claims nor exclusions:\n" + \
        "\n".join(f"line {r.line}: {r.token!r} in '{r.context}'" for r in open_tokens.itertuples())


def test_lin2022_is_complete():
    assert "lin2022" in complete_publications()


def test_committed_coverage_is_current(tmp_path, monkeypatch):
    monkeypatch.setenv("COMPENDIUM_DERIVED_DIR", str(tmp_path))
    completeness.write_coverage()
    for name in ("coverage.csv", "glue-coverage.csv"):
        assert (tmp_path / name).read_bytes() == (ROOT / "data" / "derived" / name).read_bytes(), \
            f"data/derived/{name} is stale: run `make book` and commit it"


def test_every_exclusion_covers_a_number():
    exclusions = load_table("exclusions")
    idle = []
    for key, group in exclusions.groupby("source"):
        text = completeness.publication_text(key)
        tokens = completeness.quantity_tokens(text)
        for row in group.itertuples():
            spans = find_all(row.fragment, text)
            if not any(m.start <= t.offset and t.offset + len(t.text) <= m.end for m in spans for t in tokens):
                idle.append(f"row {row.Index + 1}: {row.fragment!r}")
    assert not idle, "exclusions that cover no number of the inventory (remove them):\n" + "\n".join(idle)


def test_primary_figure_quotes_are_in_the_research_notes():
    notes = RESEARCH.read_text(encoding="utf-8")
    missing = [f"{r.figure_id}: {r.quote!r}" for r in load_table("primary_figures").itertuples()
               if find_quote(r.quote, notes) is None]
    assert not missing, "primary figure quotes not found in primary-sources.md:\n" + "\n".join(missing)


def test_blockquotes_in_the_book_are_verbatim():
    texts = [completeness.publication_text(k) for k in PUBLICATIONS]
    wrong = []
    for page in sorted((ROOT / "book").glob("*.md")):
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), start=1):
            for quoted in re.findall(r'^> "(.*)"$', line.strip()):
                if not any(find_quote(quoted, text) for text in texts):
                    wrong.append(f"{page.name}:{number}: {quoted[:80]}")
    assert not wrong, "quotations in the book not found in any publication:\n" + "\n".join(wrong)


# -- the glossary --------------------------------------------------------------

def source_text(key: str) -> str:
    return RESEARCH.read_text(encoding="utf-8") if key == "primary-sources" else completeness.publication_text(key)


def test_every_chinese_run_of_the_publications_is_in_the_glossary():
    found = load_table("glossary_occurrences")
    missing = []
    for key in PUBLICATIONS:
        printed = {re.sub(r"\s+", "", p) for p in found.loc[found["source"] == key, "printed"]}
        text = completeness.publication_text(key)
        for match in HAN_RUN.finditer(text):
            run = re.sub(r"\s+", "", match.group())
            if run not in printed:
                missing.append(f"{key} line {text.count(chr(10), 0, match.start()) + 1}: {run}")
    assert not missing, "Chinese terms printed in a publication with no glossary occurrence:\n" + "\n".join(missing)


def test_every_occurrence_is_printed_where_it_says():
    wrong = []
    for row in load_table("glossary_occurrences").itertuples():
        lines = source_text(row.source).splitlines()
        # Extraction wraps lines: the term may run on to the next line.
        window = " ".join(lines[row.line - 1:row.line + 2])
        if find_quote(row.printed, window) is None:
            wrong.append(f"row {row.Index + 1}: {row.printed!r} not at {row.source} line {row.line}")
        if row.paired_english and find_quote(row.paired_english, " ".join(lines[max(0, row.line - 3):row.line + 3])) is None:
            wrong.append(f"row {row.Index + 1}: {row.paired_english!r} not near {row.source} line {row.line}")
    assert not wrong, "\n".join(wrong)


def all_texts():
    return [source_text(k) for k in PUBLICATIONS + ["primary-sources"]]


def test_glossary_characters_are_printed_in_a_source():
    invented = characters_not_printed(all_texts())
    assert not invented, "data/raw/glossary.csv: characters that no source prints (leave them out and say so " \
        "in the note):\n" + "\n".join(f"row {row}: {chars}" for row, chars in invented)
    terms = set(load_table("glossary")["term_id"])
    occurring = set(load_table("glossary_occurrences")["term_id"])
    assert terms <= occurring, f"glossary terms printed nowhere: {terms - occurring}"


def test_a_glossary_entry_with_characters_no_source_prints_is_named(data_copy):
    with open(data_copy / "glossary.csv", "a", encoding="utf-8") as f:
        f.write("dynamic-control-invented,动态管控,dòngtài guǎnkòng,dynamic control,not printed anywhere\n")
    rows = len(pd.read_csv(data_copy / "glossary.csv"))
    assert characters_not_printed(all_texts()) == [(rows, "动态管控")]


# -- bad input: each fails naming file, row and what was expected ---------------------

@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "data", tmp_path / "data")
    monkeypatch.setenv("COMPENDIUM_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data" / "raw"


def replace_in(path: Path, old: str, new: str) -> int:
    """Replace text in a CSV; return the 1-based data row it was in."""
    lines = path.read_text(encoding="utf-8").split("\n")
    row = next(i for i, line in enumerate(lines) if old in line)
    lines[row] = lines[row].replace(old, new)
    path.write_text("\n".join(lines), encoding="utf-8")
    return row


def test_a_quote_not_in_the_text_names_row_and_where_it_differs(data_copy):
    row = replace_in(data_copy / "claims.csv", "an average of 12 per day", "an average of 13 per day")
    with pytest.raises(TableError) as caught:
        completeness.coverage("lin2022")
    error = caught.value
    assert (error.path, error.row, error.column) == ("data/raw/claims.csv", row, "quote")
    assert "the quote has '13' where the text has '12'" in error.rule


def test_an_exclusion_not_in_the_text_fails(data_copy):
    row = replace_in(data_copy / "exclusions.csv", "treatment rose sharply.1", "treatment rose steeply.1")
    with pytest.raises(TableError) as caught:
        completeness.coverage("lin2022")
    assert (caught.value.path, caught.value.row, caught.value.column) == ("data/raw/exclusions.csv", row, "fragment")
    assert "not found in the publication's text" in caught.value.rule


def test_an_exclusion_inside_a_quote_is_double_bookkeeping(data_copy):
    with open(data_copy / "exclusions.csv", "a", encoding="utf-8") as f:
        f.write('lin2022,"responded to 3,640 DCS alerts",not a quantity,counted twice\n')
    rows = len(pd.read_csv(data_copy / "exclusions.csv"))
    with pytest.raises(TableError) as caught:
        completeness.coverage("lin2022")
    assert (caught.value.path, caught.value.row) == ("data/raw/exclusions.csv", rows)
    assert "lies inside the quote of dcs-alerts-total" in caught.value.rule


def test_a_locator_naming_no_heading_fails(data_copy):
    row = replace_in(data_copy / "claims.csv", "lin2022,dcs,Conclusion,", "lin2022,dcs,Conclusions and outlook,")
    with pytest.raises(TableError) as caught:
        completeness.coverage("lin2022")
    assert (caught.value.row, caught.value.column) == (row, "locator")


def test_an_open_number_is_named_with_its_line(data_copy):
    path = data_copy / "exclusions.csv"
    path.write_text("".join(line for line in path.read_text(encoding="utf-8").splitlines(keepends=True)
                            if "treatment rose sharply.1" not in line), encoding="utf-8")
    table = completeness.coverage("lin2022")
    opened = table[table["status"] == "open"]
    assert list(opened["token"]) == ["1"] and "rose sharply.1" in opened["context"].iloc[0]
