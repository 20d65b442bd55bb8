"""Checking verbatim quotes and locators against the plain text of a source.

The sources were extracted from PDF and web pages, so a quote is compared after
layout is normalised, and only layout:

* every run of white space (line breaks included) is one space;
* a hyphen at a line end before a lowercase letter ("surveil-\\nlance") may be a
  hyphenation or a real hyphen ("community-\\nbased"); ``find_quote`` accepts either
  reading, ``normalise`` drops it. Before a capital ("Anti-\\nDrug") it is kept;
* a line break right after a slash ("HIV/\\nAIDS") is dropped;
* quote-mark style: “ ” „ ‟ ″ become " and ‘ ’ ‚ ‛ ′ become '.

Everything else must agree exactly, letter case and punctuation included: a changed
comma, a changed word or a missing word fails.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

_MARKS = str.maketrans({**dict.fromkeys("“”„‟″", '"'), **dict.fromkeys("‘’‚‛′", "'")})
_SOFT = "\u00ad"  # stands in the normalised text for a line-end hyphen that may be a hyphenation
_LAYOUT = re.compile(
    r"""(?P<soft>(?<=\w)-[ \t]*\n\s*(?=[a-z]) | \u00ad)   # hyphenation, or a real hyphen
      | (?P<hard>(?<=\w)-[ \t]*\n\s*(?=\S))               # before a capital or digit: a real hyphen
      | (?P<slash>/[ \t]*\n\s*)                           # "his/\nher": a wrap without a space
      | (?P<space>\s+)""",
    re.X,
)
_REPLACEMENT = {"soft": _SOFT, "hard": "-", "slash": "/", "space": " "}


@dataclass(frozen=True)
class Match:
    """Where a quote was found: offsets in the original text, and the original text there."""

    start: int
    end: int
    text: str


@lru_cache(maxsize=8)
def _mapped(text: str) -> tuple[str, list[int]]:
    """The normalised text (soft hyphens marked) and, per character, its offset in text."""
    out, where, done = [], [], 0
    for m in _LAYOUT.finditer(text):
        out.append(text[done:m.start()].translate(_MARKS))
        where.extend(range(done, m.start()))
        out.append(_REPLACEMENT[m.lastgroup])
        where.append(m.start())
        done = m.end()
    out.append(text[done:].translate(_MARKS))
    where.extend(range(done, len(text)))
    return "".join(out), where


def normalise(text: str) -> str:
    """text with white space collapsed, line-end hyphenation joined and quote marks made plain."""
    return _mapped(text)[0].replace(_SOFT, "").strip()


def _pattern(normalised: str, flags: int = 0) -> re.Pattern:
    """A regex for a normalised quote that lets a marked line-end hyphen be present or not."""
    parts = []
    for char in normalised:
        if char == "-":
            parts.append(f"[-{_SOFT}]")
        else:
            parts.append(re.escape(char) + (f"{_SOFT}?" if char.isalnum() else ""))
    return re.compile("".join(parts), flags)


def find_quote(quote: str, text: str) -> Match | None:
    """The first place where quote occurs in text, layout aside; None if it does not."""
    flat, where = _mapped(text)
    m = _pattern(normalise(quote)).search(flat) if quote.strip() else None
    if not m:
        return None
    start, end = where[m.start()], where[m.end() - 1] + 1
    return Match(start, end, text[start:end])


def find_all(quote: str, text: str) -> list[Match]:
    """Every place where quote occurs in text, layout aside."""
    flat, where = _mapped(text)
    if not quote.strip():
        return []
    return [Match(where[m.start()], where[m.end() - 1] + 1, text[where[m.start()]:where[m.end() - 1] + 1])
            for m in _pattern(normalise(quote)).finditer(flat)]


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def nearest_mismatch(quote: str, text: str) -> str:
    """Where a quote stops agreeing with text: the longest prefix found, and what differs next."""
    wanted = normalise(quote)
    flat, where = _mapped(text)
    found = find_quote(quote, text)
    if found:
        return f"the quote is found at line {_line(text, found.start)}"
    low, high = 0, len(wanted)  # the prefix of length low is found, the whole quote is not
    while low < high - 1:
        mid = (low + high) // 2
        low, high = (mid, high) if _pattern(wanted[:mid]).search(flat) else (low, mid)
    cut = wanted.rfind(" ", 0, low) + 1  # the start of the word where quote and text diverge
    if not cut:
        message = f"the quote's opening '{' '.join(wanted.split()[:3])}' is not in the text"
    else:
        m = _pattern(wanted[:low]).search(flat)
        diverge = _pattern(wanted[:cut]).match(flat, m.start()).end()
        rest_quote = wanted[cut:].split()[:6]
        rest_text = flat[diverge:].replace(_SOFT, "").split()[:6]
        shown = wanted[:low].strip()
        shown = shown if len(shown) <= 50 else "…" + shown[-50:]
        message = (f"found up to '{shown}' at line {_line(text, where[m.end() - 1])}; then "
                   f"{_word_difference(rest_quote, rest_text)}")
    if low < len(wanted) / 3:
        message += _longest_common(wanted, flat, where, text)
    return message


def _word_difference(quote_words: list[str], text_words: list[str]) -> str:
    ops = difflib.SequenceMatcher(None, quote_words, text_words, autojunk=False).get_opcodes()
    tag, i1, i2, j1, j2 = next((op for op in ops if op[0] != "equal"), ("replace", 0, 0, 0, 0))
    said, printed = " ".join(quote_words[i1:i2]), " ".join(text_words[j1:j2])
    if tag == "insert":
        return f"the quote lacks '{printed}' (the text has '{' '.join(text_words)}')"
    if tag == "delete":
        return f"the quote has '{said}', which the text lacks (the text has '{' '.join(text_words)}')"
    return f"the quote has '{said}' where the text has '{printed}'"


def _longest_common(wanted: str, flat: str, where: list[int], text: str) -> str:
    plain = flat.replace(_SOFT, "")
    index = [where[i] for i, c in enumerate(flat) if c != _SOFT]
    matcher = difflib.SequenceMatcher(None, plain, wanted, autojunk=False)
    block = matcher.find_longest_match(0, len(plain), 0, len(wanted))
    if block.size < 4:
        return ""
    common = wanted[block.b:block.b + block.size]
    return f"; the longest passage in common is '{common}' at line {_line(text, index[block.a])}"


_END_OF_SENTENCE = tuple(".!?:;)）\"”’'0123456789")
_FUNCTION_WORDS = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the", "to",
                   "under", "vs", "who", "with"}
_LABEL = re.compile(r"(?i)(table|box|figure|chart|annex)\s+\d+[a-z]?\b")
_MARKER = re.compile(r"(?<=[A-Za-z)’”])\d{1,3}$")  # a footnote marker glued to a heading's last word


def _runs_on(line: str, following: str) -> bool:
    """Whether a heading line is continued by the next line (headings wrap like body text)."""
    s, n = line.rstrip(), following.strip()
    if not s or not n:
        return False
    last = s.split()[-1].strip("‘’'\"").lower()
    return (n[0].islower() or n[0] == "(" or s.endswith("-") or last in _FUNCTION_WORDS
            or (s.isupper() and n.isupper())  # "EXECUTIVE / SUMMARY"
            # a wrapped line keeps its trailing space and a heading's last line has none:
            # "Voluntary treatment under the 2008 / Anti-Drug Law"
            or (line.endswith(" ") and not following.endswith(" ")))


def _heading_block(lines: list[str], i: int) -> int | None:
    """The last line of a heading that starts at line i, or None."""
    first = lines[i].strip()
    if not first or not (first[0].isupper() or first[0].isdigit() or first[0] in "‘“'\"") \
            or re.match(r"\d+\.\t", first) or not any(c.isalpha() for c in first):
        return None  # list items ("1.<tab>") and bullets are not headings
    j = i
    while j + 1 < len(lines) and j - i < 2 and _runs_on(lines[j], lines[j + 1]):
        j += 1
    block = [line.strip() for line in lines[i:j + 1]]
    if _runs_on(lines[j], lines[j + 1] if j + 1 < len(lines) else "") or block[-1].endswith("-") \
            or any(b.endswith((".", ",", ";", ":")) for b in block):
        return None  # runs on beyond three lines, or has the end of a sentence
    following = next((line.strip() for line in lines[j + 1:] if line.strip()), "")
    if following[:1].islower():
        return None  # a paragraph broken by a blank line
    if (j + 1 == len(lines) or not lines[j + 1].strip()) and i == j:
        return j if len(first) <= 100 else None  # a line set apart by blank lines (web text)
    # otherwise a heading is set in a larger font than the body: shorter lines, no commas
    return j if all(len(b) <= 42 and "," not in b for b in block) else None


def headings(text: str) -> list[str]:
    """Lines (or runs of up to three lines) that look like section or box headings, joined.

    A heading starts a block (after a blank line, the end of a sentence, an all-capital
    line or another heading), has no final period or comma, and is either set apart by
    a blank line or short and followed by a new sentence.
    """
    lines = text.split("\n")
    found, i, after_heading = [], 0, False
    while i < len(lines):
        before = lines[i - 1].strip() if i else ""
        end = None
        if after_heading or not before or before.endswith(_END_OF_SENTENCE) or before.isupper():
            end = _heading_block(lines, i)
        if end is not None:
            joined = _mapped("\n".join(lines[i:end + 1]))[0].replace(_SOFT, "-").strip()
            found.append(_MARKER.sub("", joined))  # "community-\nbased": the hyphen is kept
            i = end
        after_heading = end is not None
        i += 1
    return found


def heading_exists(locator: str, text: str) -> bool:
    """Whether every part of "Section > Subsection" names a heading of text, in that order.

    A part matches whole lines (up to four, case and layout aside, a glued footnote
    marker allowed) that neither end in a period or comma nor run on into the next
    line, and have no comma unless a blank line follows: more lenient than
    ``headings``, which must guess. A part that starts with a label ("Table 1",
    "Box 2") matches a line starting with that label, any words after the label
    continuing from there; such parts may be anywhere in the text.
    """
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    first = 0  # a section part must come at or after the line where the previous one was found
    for part in (p.strip() for p in locator.split(" > ")):
        floats = bool(_LABEL.match(normalise(part)))  # boxes and tables are extracted out of place
        found = _find_heading(part, lines, starts, text, 0 if floats else first) if part else None
        if found is None:
            return False
        first = first if floats else found
    return True


def _find_heading(part: str, lines: list[str], starts: list[int], text: str, first: int) -> int | None:
    """The first line, from line first on, where a heading matching part starts."""
    pattern = _pattern(normalise(part), re.I)
    label = _LABEL.match(normalise(part))
    for i in range(first, len(lines)):
        if label:
            at_line = _LABEL.match(normalise(lines[i]))
            if at_line and at_line.group().lower() == label.group().lower() \
                    and pattern.match(_mapped(text[starts[i]:])[0].lstrip()):
                return i
            continue
        for j in range(i, min(i + 4, len(lines))):
            span = _MARKER.sub("", _mapped("\n".join(lines[i:j + 1]))[0].strip())
            following = lines[j + 1] if j + 1 < len(lines) else ""
            if span.endswith((".", ",")) or _runs_on(lines[j], following) \
                    or ("," in span and following.strip()):  # a body line, unless set apart
                continue
            if pattern.fullmatch(span):
                return i
    return None
