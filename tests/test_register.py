"""The claims register against its sources: quotes are verbatim, printed values parse
to the recorded numbers, and every bibliography entry is a registered source."""

import re
from pathlib import Path

import pytest

from compendium.data import load_table
from compendium.schema import BIBLIOGRAPHY, bibliography_keys

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT.parent / "shared" / "sources"
SOURCE_FILES = {"tibke2017": "000_2a6a8e9bf5c9e509.txt", "lin2022": "001_b67ddb65e1bac351.txt",
                "hivandhepatitis2015": "002_bcce7f47d49628a5.txt", "ma2016": "003_73c6b7b23c499d3d.txt",
                "unodc2022": "004_db6db5a832f1526f.txt"}


def letters(text: str) -> str:
    """Only letters and digits, lower-cased: extracted PDF text breaks lines and words."""
    return re.sub(r"[\W_]+", "", text.replace("“", "").replace("”", "")).lower()


@pytest.mark.skipif(not SOURCES.exists(), reason="../shared/sources (the publications' text) is not beside this clone")
def test_quotes_are_verbatim():
    claims = load_table("claims")
    texts = {key: letters((SOURCES / name).read_text(encoding="utf-8")) for key, name in SOURCE_FILES.items()}
    missing = [row.claim_id for row in claims.itertuples() if letters(row.quote) not in texts[row.source]]
    assert not missing, f"quotes not found in their publication: {missing}"


@pytest.mark.skipif(not SOURCES.exists(), reason="../shared/sources (the publications' text) is not beside this clone")
def test_stated_value_appears_in_quote():
    claims = load_table("claims")
    # "(listed)" marks a count of items the sentence names without printing a number.
    absent = [row.claim_id for row in claims.itertuples()
              if not row.stated.endswith("(listed)") and letters(row.stated) not in letters(row.quote)]
    assert not absent, absent


WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "twice": 2}


def parse_stated(stated: str):
    """The number a printed value states, e.g. '4.7 million' -> 4700000, '92%' -> 92."""
    text = stated.lower()
    match = re.search(r"\d[\d,]*(\.\d+)?", text)
    if match:
        number = float(match.group().replace(",", ""))
        return number * 1e6 if "million" in text else number
    for word, number in WORDS.items():
        if re.search(rf"\b{word}\b", text):
            return number
    return None


def test_values_are_the_printed_numbers():
    claims = load_table("claims")
    wrong = []
    for row in claims.itertuples():
        if row.unit == "per_year":  # schedules: value is the yearly rate the words imply
            continue
        parsed = parse_stated(row.stated)
        if parsed is None or abs(parsed - float(row.value)) > 1e-9:
            wrong.append((row.claim_id, row.stated, float(row.value), parsed))
    assert not wrong, wrong


def test_resolution_matches_printed_digits():
    claims = load_table("claims")
    for row in claims.itertuples():
        match = re.search(r"\d[\d,]*\.(\d+)", row.stated)
        if match and "million" not in row.stated:
            assert float(row.resolution) == pytest.approx(10 ** -len(match.group(1))), row.claim_id
        if "million" in row.stated and match:
            assert float(row.resolution) == pytest.approx(10 ** (6 - len(match.group(1)))), row.claim_id


def test_every_bibliography_entry_is_a_registered_source():
    keys = set(load_table("sources")["key"])
    assert bibliography_keys(BIBLIOGRAPHY) == keys


def test_primary_figures_quotes_contain_their_number():
    """The recorded value is printed in the quote: as digits, with separators, or in 万 (ten thousands)."""
    primary = load_table("primary_figures")
    for row in primary.itertuples():
        if "derived" in row.note.lower():
            continue  # e.g. a year worked out from 'last August'; the note says how
        value = float(row.value)
        forms = {f"{value:,.0f}", f"{value:.0f}", f"{value / 1e4:g}万"}
        assert any(form in row.quote for form in forms), (row.figure_id, forms)


def test_citation_file_has_what_citations_need():
    """CITATION.cff carries the fields the book's citations are generated from."""
    import yaml

    record = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert record["cff-version"] == "1.2.0"
    for field in ("message", "title", "authors", "version", "date-released", "license"):
        assert record.get(field), field
    assert all("name" in a or "family-names" in a for a in record["authors"])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(record["date-released"]))
