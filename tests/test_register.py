"""The register's sources: every bibliography entry is a registered source, every
source says what was read of it, and CITATION.cff has what citations need.

(Quotes, locators and fragments are checked against the publications' texts in
test_completeness; printed values against their numbers by validation itself.)
"""

import json
import re
import subprocess
from pathlib import Path

from compendium.data import load_table
from compendium.schema import BIBLIOGRAPHY, bibliography_keys

ROOT = Path(__file__).resolve().parents[1]
CFFCONVERT = ROOT / ".venv-cff" / "bin" / "cffconvert"


def test_every_bibliography_entry_is_a_registered_source():
    keys = set(load_table("sources")["key"])
    assert bibliography_keys(BIBLIOGRAPHY) == keys


def test_every_source_says_where_it_is_and_what_was_read():
    sources = load_table("sources")
    assert (sources["address"].str.len() > 5).all() and (sources["read"].str.len() > 5).all()
    publications = sources[sources["role"] == "publication"]
    assert publications["text"].str.fullmatch(r"\d{3}_[0-9a-f]{16}\.txt").all()
    assert publications["complete"].notna().all() and publications["accessed"].notna().all()
    primary_sources = set(load_table("primary_figures")["source"])
    assert primary_sources <= set(sources.loc[sources["role"] == "primary", "key"])


def test_citation_file_has_what_citations_need():
    """CITATION.cff carries the fields the book's citations are generated from."""
    import yaml

    record = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert record["cff-version"] == "1.2.0"
    for field in ("message", "title", "authors", "version", "date-released", "license"):
        assert record.get(field), field
    assert all("name" in a or "family-names" in a for a in record["authors"])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(record["date-released"]))


def test_one_title_and_version_everywhere():
    """The site, CITATION.cff and .zenodo.json name the work the same way."""
    import json

    import yaml

    record = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    site = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    zenodo = json.loads((ROOT / ".zenodo.json").read_text(encoding="utf-8"))
    assert record["title"] == site["title"] == zenodo["title"]
    assert str(record["version"]) == zenodo["version"]
    assert [a.get("name") for a in record["authors"]] == [c["name"] for c in zenodo["creators"]]
    assert zenodo["license"] in record["license"] and zenodo["keywords"] == record["keywords"]


def cffconvert(*arguments: str) -> subprocess.CompletedProcess:
    """cffconvert on CITATION.cff, from its own environment (it needs an older jsonschema than the book)."""
    assert CFFCONVERT.exists(), f"{CFFCONVERT} is missing: `make test` installs it from requirements-cff.txt"
    return subprocess.run([str(CFFCONVERT), *arguments, "-i", str(ROOT / "CITATION.cff")],
                          capture_output=True, text=True, timeout=60)


def test_citation_file_is_valid_cff():
    result = cffconvert("--validate")
    assert result.returncode == 0, result.stdout + result.stderr


def test_zenodo_metadata_is_what_cffconvert_makes_of_the_citation_file():
    converted = json.loads(cffconvert("-f", "zenodo").stdout)
    zenodo = json.loads((ROOT / ".zenodo.json").read_text(encoding="utf-8"))
    for field, value in converted.items():
        if field == "license":  # the CFF lists two licences; Zenodo takes one of them
            assert zenodo["license"] in value["id"]
        else:
            assert zenodo.get(field) == value, f".zenodo.json {field}: {zenodo.get(field)!r}; CITATION.cff gives {value!r}"


def test_the_books_address_is_one_setting_that_every_citation_uses(monkeypatch, tmp_path):
    """CITATION.cff has no url yet (the book has no public address). Once it has one, that one
    setting reaches the claim citations (with the entry's anchor), the chapter citations and the
    printed pages' footer."""
    from types import SimpleNamespace

    from compendium.book import sphinx_ext

    address = "https://books.example/compendium"
    record = {**sphinx_ext.citation_record(), "url": address}
    monkeypatch.setattr(sphinx_ext, "citation_record", lambda: record)
    claim = sphinx_ext.ClaimsLedger.citation(None, {"claim_id": "dcs-alerts-per-day"}).astext()
    assert f"Available at {address}/book/ledger.html#claim-dcs-alerts-per-day." in claim
    assert f"url = {{{address}/book/ledger.html#claim-dcs-alerts-per-day}}" in claim
    chapter = sphinx_ext.citation_bibtex(record, "The Dynamic Control System", "compendium-dcs")
    assert f"url = {{{address}}}" in chapter and address in sphinx_ext.citation_text(record, "The Dynamic Control System")
    app = SimpleNamespace(builder=SimpleNamespace(format="html"), outdir=str(tmp_path))
    sphinx_ext.write_print_css(app, None)
    assert address in (tmp_path / "_static" / "compendium-print.css").read_text(encoding="utf-8")
