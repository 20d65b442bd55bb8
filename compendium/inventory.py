"""An inventory of the quantity-bearing tokens in a text.

``quantity_tokens(text)`` lists every token that states or implies a number, in
document order and without overlaps. It finds candidates; deciding which of them
are claims (and which are dates, footnote markers, list numbers or article numbers)
is left to the exclusions that read the inventory.

Rules worth knowing:

* Kinds: numeral (785,900; 4.7; 2019; 24th; 1990s; "4.7 million"), percent, currency,
  range, word (number words, "a dozen", "hundreds"), fraction ("half", "two-thirds",
  "one in four"), multiplier ("twice", "doubled", "15-fold") and chinese (Chinese
  numerals, "214.8万").
* Currency: a mark (US$, HK$, $, ¥, €, £, RMB, CNY, USD before the number; yuan, RMB,
  CNY, USD, dollars, euros after it) belongs to the token when it is adjacent, that is
  separated from the number by at most one white-space character.
* A range ("2012–2018", "10-15%", "three to six", "$412 to $4,000", "between 10 and 20
  million") is one token of kind "range" whatever its unit; the unit is in its text.
  "between" is part of the token because it is what makes "X and Y" a range.
* Multi-word tokens may span a line break: the text is wrapped in columns.
* Footnote markers glued to words ("users.22", "people62", "in 2006.2") are tokens of
  their own. A year (1500-2099) or a number with thousands separators, then a period
  and digits, then a new sentence or the line end ("in 2006.2 Individuals",
  "60,000.64 In") is a number followed by a marker, never a decimal.
* Skipped entirely: URLs, DOIs, identifiers (H1N1, COVID-19, HIV-1, PMC4951535), "one"
  as a pronoun (no one, the one, one another, one's), "once" as a conjunction
  ("once enrolled"), and vague quantifiers that state no number (several, few, many,
  single, multiple). Word ordinals (first, second) rank rather than count and are
  left out, as are Roman list numerals ((i), (ii)); slashed ratios ("1/3") and units
  glued to digits ("10mg") are not recognised, as the sources have none.
* Chinese numerals count only where they stand as numbers: after 第, or before a
  measure word or unit (年 名 人 次 个 ...). Inside ordinary words (统一, 一些, 万一)
  they are not tokens.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

KINDS = ("numeral", "percent", "currency", "range", "word", "fraction", "multiplier", "chinese")


@dataclass(frozen=True)
class Token:
    """One quantity-bearing token and where it is (line 1-based, column and offset 0-based)."""

    text: str
    kind: str
    line: int
    column: int
    offset: int


def _alt(words) -> str:
    return "|".join(sorted(words, key=len, reverse=True))  # longest first: "seventeen" before "seven"


_UNITS = "one two three four five six seven eight nine".split()
_TEENS = "zero ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_SCALES = "hundred thousand million billion trillion dozen".split()
_SMALL = rf"(?:(?:{_alt(_TENS)})(?:[\s-](?:{_alt(_UNITS)}))?|{_alt(_UNITS + _TEENS)})"
_WORDNUM = rf"\b{_SMALL}(?:[\s-]+(?:{_alt(_SCALES)})(?:(?:\s+and\s+|[\s-]+){_SMALL})?)*\b"
_ASCII_AFTER = r"(?![A-Za-z0-9_])"  # \b would treat a following 年 as part of the word
_DIGITS = r"(?<!\d)(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?!\d)"
_SCALE = r"(?:\s+(?:million|billion|trillion|thousand))?"
_PRE = r"(?:\bUS\$|\bHK\$|\$|¥|€|£|\bRMB|\bCNY|\bUSD)"
_POST = r"(?:yuan|RMB|CNY|USD|dollars|euros)\b"
_PCT = r"(?:\s?[%％]|\s+per\s*cent\b|\s+percent\b)"
# one end of a range: a number in digits with its scale, percent or currency, or a number word
_DIGIT_END = rf"(?:{_PRE}\s?)?{_DIGITS}{_ASCII_AFTER}{_SCALE}(?:{_PCT}|\s?{_POST})?"
_END = rf"(?:{_DIGIT_END}|{_WORDNUM}(?:{_PCT})?)"
_DENOMINATOR = r"(?:halves|thirds?|quarters?|(?:four|fif|six|seven|eigh|nin|ten)ths?)"

_CN = "〇零一二两三四五六七八九十百千万亿"
_MEASURE = "年月日天周岁名人次个位家所元倍项条种例件户批"  # 起 (一起 "together") and 分 (十分 "very") left out

# (kind, pattern); where a pattern has a group named "tok", only that group is the token.
FAMILIES = [
    ("numeral", re.compile(rf"{_DIGITS}(?:st|nd|rd|th|s)?{_ASCII_AFTER}{_SCALE}")),
    ("percent", re.compile(rf"{_DIGITS}{_PCT}|{_WORDNUM}\s+per\s*cent\b|{_WORDNUM}\s+percent\b", re.I)),
    ("currency", re.compile(rf"{_PRE}\s?{_DIGITS}{_SCALE}|{_DIGITS}{_SCALE}\s?{_POST}")),
    # hyphen and en dash join digits only: "twenty-five" is one number, not a range
    ("range", re.compile(rf"{_DIGIT_END}\s?[-–]\s?{_DIGIT_END}(?![\d-])|{_END}\s+to\s+{_END}"
                         rf"|\bbetween\s+{_END}\s+and\s+{_END}", re.I)),
    ("word", re.compile(rf"{_WORDNUM}|\ba\s+(?:{_alt(_SCALES)})\b|\b(?:dozens|hundreds|thousands|millions|billions)\b"
                        r"|\ba\s+handful\b|\ba\s+couple\s+of\b", re.I)),  # "several", "many", "few": no number
    # "one in four": the denominator is never a year ("1 in 2011" is not a fraction)
    ("fraction", re.compile(rf"(?:\b{_SMALL}|\d+)[\s-]+{_DENOMINATOR}\b|\ba\s+quarter\b|\bhalf\b"
                            rf"|(?:\b{_SMALL}|\d+)\s+(?:in|out\s+of)\s+(?:{_SMALL}|\d{{1,3}}(?:,\d{{3}})*)\b", re.I)),
    ("multiplier", re.compile(r"\b(?:twice|thrice|double[ds]?|doubling|triple[ds]?|tripling"
                              r"|quadruple[ds]?|halved?|halving)\b"
                              rf"|(?:\b{_SMALL}|{_DIGITS})-?\s?fold\b", re.I)),
    # "once" counts only as a frequency: "at least once", "once a month", "once every ..."
    ("multiplier", re.compile(r"\b(?:at\s+(?:least|most)|only|just|than|exactly)\s+(?P<tok>once)\b"
                              r"|\bonce(?=\s+(?:every\b|or\s+twice\b|(?:a|an|per|each)\s+"
                              r"(?:day|week|fortnight|month|quarter|year|decade|lifetime)\b))", re.I)),
    ("chinese", re.compile(rf"第[{_CN}]+|[{_CN}]+(?=[多余]?[{_MEASURE}])|\d+(?:\.\d+)?[万亿]|百分之[{_CN}]+")),
]

# Spans that are never inventoried, even in part.
SKIP = re.compile(
    r"""https?://\S+[^\s.,;)\]]                           # URLs
      | \bwww\.\S+[^\s.,;)\]]
      | (?:\bdoi:?\s*)?\b10\.\d{4,9}/\S+[^\s.,;)\]]       # DOIs
      | \b[A-Za-z]+\d+[A-Za-z][A-Za-z0-9]*               # H1N1: letters, digits, letters
      | \b[A-Z]{2,}\d+\b                                 # PMC4951535: acronym glued to digits
      | \b(?=[A-Za-z-]*[A-Z][A-Za-z-]*[A-Z])[A-Za-z]+(?:-[A-Za-z]+)*-\d+\b   # COVID-19, HIV-1
      | (?i:\bcovid-19\b)
      | (?i:\b(?:no|the|any|every)[\s-]+one\b(?!\s+(?:in|out\s+of)\s)   # "one" as a pronoun,
           | \bone\s+another\b | \bone['’]s\b)                      # but "the one in four" counts
    """,
    re.X,
)
# "2006.2 Individuals", "60,000.64 In": a year or separated number, a period, a marker,
# then a new sentence or the line end: the digits after the period are a footnote marker.
_GLUED_MARKER = re.compile(r"((?:1[5-9]|20)\d\d|\d{1,3}(?:,\d{3})+)\.(\d{1,3})(?=[ \t]*(?:\n|$)|\s+[A-Z“‘\"'(])")


def quantity_tokens(text: str) -> list[Token]:
    """Every quantity-bearing token of text, in document order, none overlapping."""
    skipped = [m.span() for m in SKIP.finditer(text)]
    candidates = []
    for rank, (kind, pattern) in enumerate(FAMILIES):
        for m in pattern.finditer(text):
            group = "tok" if "tok" in pattern.groupindex and m.group("tok") else 0
            start, end = m.span(group)
            if end > start:
                candidates.append((start, -(end - start), rank, kind, end))
    candidates.sort()
    lines = _line_starts(text)
    tokens, last_end = [], 0
    for start, _, _, kind, end in candidates:
        if start < last_end or any(s < end and start < e for s, e in skipped):
            continue  # overlaps a longer or earlier token, or a skipped span
        last_end = end
        glued = _GLUED_MARKER.match(text, start) if kind == "numeral" else None
        if glued and glued.end() == end:
            tokens.append(_token(text, lines, start, glued.end(1), kind))
            tokens.append(_token(text, lines, glued.start(2), end, kind))
        else:
            tokens.append(_token(text, lines, start, end, kind))
    return tokens


def _line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in re.finditer(r"\n", text)]


def _token(text: str, starts: list[int], start: int, end: int, kind: str) -> Token:
    line = bisect.bisect_right(starts, start)
    return Token(text[start:end], kind, line, start - starts[line - 1], start)


def line_of(text: str, offset: int) -> tuple[int, int]:
    """(line, column) of a character offset: line 1-based, column 0-based."""
    starts = _line_starts(text)
    line = bisect.bisect_right(starts, offset)
    return line, offset - starts[line - 1]


def context(text: str, token: Token, width: int = 40) -> str:
    """The verbatim text around a token: width characters either side, line breaks kept."""
    return text[max(0, token.offset - width): token.offset + len(token.text) + width]
