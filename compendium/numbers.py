"""The number a printed value states, read as the register transcribes it.

``printed_value("4.7 million")`` is 4,700,000; ``printed_value("two years")``
is 2; ``per_year("At least once every two weeks")`` is 26. Validation
(compendium.schema) uses these to refuse a register row whose ``value`` is not
the number its ``stated`` text prints, and whose ``resolution`` is not a
place value of its printed digits.
"""

from __future__ import annotations

import calendar
import re

WORDS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
         "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
         "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
         "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
         "hundred": 100, "a dozen": 12, "dozen": 12, "half": 0.5, "a half": 0.5,
         "once": 1, "twice": 2, "thrice": 3, "double": 2, "doubled": 2, "triple": 3, "tripled": 3,
         "a": 1, "an": 1}
SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9}
DIGITS = re.compile(r"\d[\d,]*(?:\.\d+)?")
WORD = re.compile(r"\b(" + "|".join(sorted((w for w in WORDS if w not in ("a", "an")), key=len, reverse=True)) + r")\b", re.I)
# Periods a frequency is stated over, in whole occurrences per (common) year, from the
# calendar: a rule "every week" is met at least this many times in any year.
YEAR_DAYS = sum(calendar.monthrange(2001, month)[1] for month in range(1, 13))
MONTHS = len(calendar.month_name) - 1
PERIODS = {"day": YEAR_DAYS, "week": YEAR_DAYS // 7, "month": MONTHS, "year": 1,
           "half year": 2, "quarter": MONTHS // 3}
ADVERBS = {"daily": "day", "weekly": "week", "monthly": "month", "quarterly": "quarter",
           "yearly": "year", "annually": "year"}


def printed_value(stated: str) -> float | None:
    """The first number printed in the text (digits, or a number word), times its scale word."""
    text = stated.lower()
    match = DIGITS.search(text)
    if match:
        number, rest = float(match.group().replace(",", "")), text[match.end():]
    else:
        word = WORD.search(text)
        if not word:
            return None
        number, rest = float(WORDS[word.group(1)]), text[word.end():]
    # "4.7 million"; and in a range, "between 21.5 and 25 million", the scale word of the end.
    scale = re.match(r"(?:\s*(?:and|to|-|–)\s*[\d.,]+)?\s*(thousand|million|billion)\b", rest)
    return number * SCALES[scale.group(1)] if scale else number


def per_year(stated: str) -> float | None:
    """Occurrences a year of a stated frequency: 'once every two weeks' -> 26, 'monthly' -> 12."""
    text = stated.lower()
    for adverb, period in ADVERBS.items():
        if re.search(rf"\b{adverb}\b", text):
            return float(PERIODS[period])
    match = re.search(r"every\s+(?:(\w+)\s+)?(half year|day|week|month|year|quarter)s?\b", text) or \
        re.search(r"\b(a|an|per)\s+(half year|day|week|month|year|quarter)\b", text)
    if not match:
        return None
    every = 1.0 if match.group(1) in (None, "a", "an", "per") else printed_value(match.group(1))
    times = re.search(r"\b(once|twice|thrice|\w+ times)\b", text)
    count = printed_value(times.group(1)) if times else 1.0
    if every is None or count is None:
        return None
    return count * PERIODS[match.group(2)] / every


def resolution_bounds(stated: str) -> tuple[float, float] | None:
    """(finest, coarsest) resolution the printed digits allow: the place of the last digit,
    and of the last non-zero digit (trailing zeros may or may not be significant)."""
    match = DIGITS.search(stated)
    if not match:
        return (1.0, 1.0) if WORD.search(stated.lower()) else None
    digits = match.group().replace(",", "")
    scale = SCALES.get((re.match(r"\s*(thousand|million|billion)\b", stated[match.end():].lower()) or [None, None])[1], 1)
    if "." in digits:
        places = len(digits.split(".")[1])
        finest = 10.0 ** -places * scale
        return finest, finest
    zeros = len(digits) - len(digits.rstrip("0")) if digits.strip("0") else 0
    return float(scale), float(10 ** zeros * scale)
