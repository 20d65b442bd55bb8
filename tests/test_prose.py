"""The prose never retypes a number: digits in book/*.md appear only in quotations,
glue references, citations, code, links and directive lines; and every glue
reference names a key that its notebook glues."""

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "book").glob("*.md"))

ALLOWED = [
    r"\{glue(?::\w+)?\}`[^`]*`",  # glued numbers
    r"\{(?:cite|cite:[pt]|ref|claim|download|doc)\}`[^`]*`",  # roles
    r"`[^`]*`",  # code
    r"“[^”]*”", r'"[^"\n]*"',  # quotations
    r"\]\([^)]*\)",  # link targets
    r"<[^>]+>",  # inline HTML tags
    r"UTF-8", r"(?:CC BY|Attribution) 4\.0",  # names that contain digits, not figures
]


def prose_lines(path: Path):
    """(line number, text) of lines readers see as prose, directive bodies (captions) included.

    Skipped: blockquotes (quoted sentences), fence lines, directive options and labels.
    """
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith((">", "```", ":::", ":")) or re.match(r"^\(.*\)=$", stripped):
            continue
        yield number, line


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_no_hand_typed_numbers(page):
    offending = []
    for number, line in prose_lines(page):
        text = line
        for pattern in ALLOWED:
            text = re.sub(pattern, "", text)
        if re.search(r"\d", text):
            offending.append(f"{page.name}:{number}: {line.strip()}")
    assert not offending, "numbers typed into prose (glue them from a notebook):\n" + "\n".join(offending)


GLUE = re.compile(r"\{glue(?::\w+)?\}`([^`]*?\.ipynb)::([A-Za-z0-9_]+)(?::[^`]*)?`")


def glued_keys(notebook: Path) -> set[str]:
    keys = set()
    for cell in nbformat.read(notebook, as_version=4).cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                keys.add(name)
    return keys


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_glue_references_exist(page):
    text = page.read_text(encoding="utf-8")
    for relative, key in GLUE.findall(text):
        notebook = (page.parent / relative).resolve()
        assert notebook.exists(), f"{page.name}: {relative}"
        assert key in glued_keys(notebook), f"{page.name}: {relative} glues no key {key!r}"


def test_prose_checker_catches_a_typed_number(tmp_path):
    """The checker itself: a typed figure is caught, a quoted or glued one is not."""
    page = tmp_path / "page.md"
    page.write_text('Police answered 3640 alerts.\n\n> "3,640 DCS alerts"\n\n{glue:text}`x.ipynb::k:s` alerts\n', encoding="utf-8")
    lines = [line for _, line in prose_lines(page)]
    flagged = [l for l in lines if re.search(r"\d", re.sub("|".join(ALLOWED), "", l))]
    assert flagged == ["Police answered 3640 alerts."]
