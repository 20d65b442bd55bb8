"""The prose never retypes a number, and every glued number exists.

Digits and number words in book/*.md may appear only inside roles ({n}, {claim},
{verdict}, {cite}, ...), code, link targets, HTML tags, and quotations; a
quotation that holds a number must be a verbatim piece of a register or
primary-figure quote, so a typed number cannot hide in quote marks. Every {n}
key must be in the glue table the page names. Prose is one sentence per line.
"""

import csv
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "book").glob("*.md"))
NUMBER_WORDS = (r"\b(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
                r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|"
                r"ninety|hundreds?|thousands?|millions?|billions?|half|halves|third|quarter|dozens?|once|twice|"
                r"thrice|double|triple|\w+fold)\b")
NUMBER = re.compile(rf"\d|{NUMBER_WORDS}", re.I)
ROLES = r"\{[a-z:-]+\}`[^`]*`"
# Names that contain digits or number words, not figures: rounding rules, table labels,
# licences, and Chinese titles such as 2019年中国毒品形势报告.
EXEMPT = [ROLES, r"`[^`]*`", r"\]\([^)]*\)", r"<[^>]+>", r"UTF-8", r"(?:CC BY|Attribution) 4\.0",
          r"round(?:ing)? half (?:up|to even)", r"\bTable \d+\b", r"\d*[\u4e00-\u9fff][\u4e00-\u9fff\d]*"]
QUOTED = re.compile(r"“([^”]*)”|\"([^\"\n]*)\"")
SENTENCE_END = re.compile(r"[a-z0-9)\]`][.!?] +[A-Z(]")


def registered_quotes() -> str:
    """Every register and primary-figure quote, white space folded, as one searchable text."""
    quotes = []
    for name in ("claims.csv", "primary_figures.csv"):
        with open(ROOT / "data" / "raw" / name, encoding="utf-8", newline="") as f:
            quotes += [row["quote"] for row in csv.DictReader(f)]
    return " | ".join(" ".join(q.split()) for q in quotes)


def prose_lines(text: str):
    """(line number, text) of what readers see as prose: not front matter, fences,
    directive options, labels or blockquotes (quoted sentences, checked elsewhere)."""
    lines = text.splitlines()
    start = lines.index("---", 1) + 1 if lines and lines[0] == "---" else 0
    block = None  # None, "code" (skipped) or "directive" (its body is prose, e.g. a caption)
    for number, line in enumerate(lines[start:], start=start + 1):
        stripped = line.strip()
        if stripped.startswith("```"):
            if block:
                block = None
            else:
                name = re.match(r"```\{([\w-]+)\}", stripped)
                block = "directive" if name and not name.group(1).startswith("code") else "code"
            continue
        if block == "code" or stripped.startswith((">", ":::", ":", "|---")) or re.match(r"^\(.*\)=$", stripped):
            continue
        yield number, line


def hand_typed_numbers(text: str, quotes: str) -> list[tuple[int, str]]:
    """(line, text) of prose lines that type a number outside roles and verbatim quotations."""
    offending = []
    for number, line in prose_lines(text):
        rest = re.sub("|".join(EXEMPT), "", line)
        for match in QUOTED.finditer(rest):
            quoted = " ".join((match.group(1) or match.group(2)).split())
            if quoted in quotes:
                rest = rest.replace(match.group(0), "")
        if NUMBER.search(rest):
            offending.append((number, line.strip()))
    return offending


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_no_hand_typed_numbers(page):
    offending = hand_typed_numbers(page.read_text(encoding="utf-8"), registered_quotes())
    assert not offending, "numbers typed into prose (glue them, or quote the register verbatim):\n" + \
        "\n".join(f"{page.name}:{n}: {line}" for n, line in offending)


def test_the_checker_catches_digits_number_words_and_false_quotes():
    quotes = registered_quotes()
    text = "\n".join([
        "Police answered 3640 alerts.",  # digits
        "Ten consecutive months.",  # a number word
        'The paper says "3,641 DCS alerts" here.',  # a quotation that is not in the register
        'The paper says "3,640 DCS alerts" here.',  # verbatim from the register: allowed
        "{n}`dcs_alerts_per_day_low` alerts a day, {claim}`dcs-alerts-per-day`.",  # roles: allowed
        "> one quoted line with 12 in it",  # blockquote: checked against the source elsewhere
    ])
    assert [n for n, _ in hand_typed_numbers(text, quotes)] == [1, 2, 3]


def glue_table(topic: str) -> dict[str, str]:
    path = ROOT / "data" / "derived" / f"glue-{topic}.csv"
    with open(path, encoding="utf-8", newline="") as f:
        return {row["key"]: row["value"] for row in csv.DictReader(f)}


def front_matter_topic(text: str) -> str | None:
    match = re.match(r"\A---\n(.*?)\n---\n", text, re.S)
    found = re.search(r"^glue:\s*(\S+)", match.group(1), re.M) if match else None
    return found.group(1) if found else None


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_every_short_role_names_a_glued_key(page):
    text = page.read_text(encoding="utf-8")
    keys = re.findall(r"\{n\}`([^`]+)`", text)
    topic = front_matter_topic(text)
    for key in keys:
        page_topic, _, name = key.rpartition(":")
        page_topic = page_topic or topic
        assert page_topic, f"{page.name} uses {{n}}`{key}` but names no glue table in its front matter"
        assert name in glue_table(page_topic), f"{page.name}: {name!r} is not in glue-{page_topic}.csv"
    assert ".ipynb::" not in text, f"{page.name} still uses a long glue role"


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_one_sentence_per_line(page):
    crowded = [f"{page.name}:{n}: {line.strip()}" for n, line in prose_lines(page.read_text(encoding="utf-8"))
               if not line.lstrip().startswith("|") and SENTENCE_END.search(re.sub(ROLES, "x", line))]
    assert not crowded, "write one sentence per line:\n" + "\n".join(crowded)
