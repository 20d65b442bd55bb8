"""The book as one PDF (`make pdf`, which `make test` runs first): every chapter's title,
a number glued in each chapter, and every Chinese term of the glossary are in its text."""

import csv
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PDF = ROOT / "_build" / "pdf" / "_build" / "latex" / "compendium.pdf"


@pytest.fixture(scope="module")
def pdf_text():
    if not PDF.exists():
        pytest.fail(f"no PDF at {PDF.relative_to(ROOT)}: run `make test` (it runs `make pdf` first)")
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext missing: `make pdf` installs Debian's poppler-utils")
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(PDF), "-"], capture_output=True, text=True, check=True).stdout
    return text


def flat(text: str) -> str:
    """Text without white space or hyphenation: pdftotext breaks lines anywhere."""
    return re.sub(r"-\n|\s+", "", text)


def chapters():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    part = next(p for p in toc["parts"] if p["caption"] == "Chapters")
    return [ROOT / f"{c['file']}.md" for c in part["chapters"]]


def first_glued_value(page: Path) -> str:
    text = page.read_text(encoding="utf-8")
    topic = re.search(r"^glue:\s*(\S+)", text, re.M).group(1)
    key = next(k for k in re.findall(r"\{n\}`([^`:]+)`", text))
    with open(ROOT / "data" / "derived" / f"glue-{topic}.csv", encoding="utf-8", newline="") as f:
        return {row["key"]: row["value"] for row in csv.DictReader(f)}[key]


@pytest.mark.parametrize("page", chapters(), ids=lambda p: p.stem)
def test_every_chapter_is_in_the_pdf_with_a_glued_number(pdf_text, page):
    title = re.search(r"^# (.+)$", page.read_text(encoding="utf-8"), re.M).group(1)
    assert flat(title) in flat(pdf_text), title
    value = first_glued_value(page)
    assert flat(value) in flat(pdf_text), f"{page.name}: glued value {value!r} not in the PDF"


def test_the_glossarys_chinese_terms_are_in_the_pdf(pdf_text):
    with open(ROOT / "data" / "raw" / "glossary.csv", encoding="utf-8", newline="") as f:
        terms = [row["characters"] for row in csv.DictReader(f) if row["characters"]]
    missing = [t for t in terms if flat(t) not in flat(pdf_text)]
    assert terms and not missing, f"glossary terms not in the PDF: {missing}"
