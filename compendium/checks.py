"""Checks that judge a printed number, and the verdict they add up to.

A printed number stands for the interval of values that print as it. Each
check says which rounding rule it assumed: "half_up" (round half away from
zero, the usual reporting rule), "half_even" (banker's rounding) or "truncate"
(digits cut off). Every check returns a Check: passed or not, the rule, and a
sentence saying what was compared.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

RULES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "truncate": ROUND_DOWN}
RULE_NAMES = {"half_up": "round half up", "half_even": "round half to even", "truncate": "truncation"}

VERDICTS = ("reproduced", "consistent", "discrepancy", "unverifiable")
CONFIDENCE = 0.95  # level of every interval the compendium reports


@dataclass(frozen=True)
class Check:
    """One named check of one claim."""

    name: str  # "recompute", "granularity", "cross-source", "bounds"
    passed: bool
    rule: str  # the assumption, e.g. "round half up to a resolution of 0.1"
    detail: str  # what was compared, in a sentence
    recomputed: float | None = None

    def describe(self) -> str:
        mark = "passes" if self.passed else "FAILS"
        return f"{self.name} ({self.rule}) {mark}: {self.detail}"


def round_to(x: float, resolution: float, rule: str = "half_up") -> float:
    """x rounded to a multiple of resolution (0.1, 1, 100000, ...) by rule."""
    step = Decimal(str(resolution))
    units = (Decimal(str(x)) / step).quantize(Decimal(1), rounding=RULES[rule])
    return float(units * step)


def printed_interval(value: float, resolution: float, qualifier: str = "", rule: str = "half_up"):
    """The (low, high) range of true values that a printed number stands for.

    Bounds are inclusive; "more than 785,000" gives (785000, inf) and callers
    compare with a strict inequality through ``within``.
    """
    if qualifier in ("at least", "more than"):
        return (value, math.inf)
    if qualifier == "at most":
        return (-math.inf, value)
    if rule == "truncate":
        return (value, value + resolution)
    half = resolution / 2
    if qualifier == "about":
        half = max(half, resolution)
    return (value - half, value + half)


def within(x: float, value: float, resolution: float, qualifier: str = "", rule: str = "half_up") -> bool:
    """Whether x prints as the stated value under the rule and qualifier."""
    if qualifier == "more than":
        return x > value
    if qualifier == "at least":
        return x >= value
    if qualifier == "at most":
        return x <= value
    if qualifier == "about":
        low, high = printed_interval(value, resolution, qualifier, rule)
        return low <= x <= high
    return math.isclose(round_to(x, resolution, rule), value, rel_tol=0, abs_tol=resolution * 1e-6)


def _fmt(x: float) -> str:
    """Numbers in check descriptions: separators from 10,000 up (so years stay 2006)."""
    x = float(x)
    if x.is_integer():
        return f"{x:,.0f}" if abs(x) >= 10000 else f"{x:.0f}"
    return f"{x:.4g}" if abs(x) < 1000 else f"{x:,.1f}"


def recompute(stated: float, resolution: float, computed: float, how: str,
              rule: str = "half_up", qualifier: str = "") -> Check:
    """Compare a value recomputed from tabulated inputs with the printed one."""
    ok = within(computed, stated, resolution, qualifier, rule)
    shown = round_to(computed, resolution, rule) if not qualifier else computed
    detail = f"{how} = {_fmt(computed)}, which prints as {_fmt(shown)}; the publication prints {qualifier + ' ' if qualifier else ''}{_fmt(stated)}"
    return Check("recompute", ok, f"{RULE_NAMES[rule]} to a resolution of {_fmt(resolution)}", detail, computed)


def recompute_range(stated: float, resolution: float, low: float, high: float, how: str,
                    rule: str = "half_up") -> Check:
    """Recompute where an input is only known to lie in a range (e.g. days in 10 months).

    Passes when both ends print as the stated value, so every admissible input does.
    """
    ok = within(low, stated, resolution, "", rule) and within(high, stated, resolution, "", rule)
    detail = f"{how} lies between {_fmt(low)} and {_fmt(high)}; the publication prints {_fmt(stated)}"
    return Check("recompute", ok, f"{RULE_NAMES[rule]} to a resolution of {_fmt(resolution)}, at both ends of the range", detail, (low + high) / 2)


def achievable_counts(percent: float, n: int, resolution: float, rule: str = "half_up") -> list[int]:
    """Every k in 0..n with 100*k/n printing as the percentage (GRIM for proportions)."""
    low, high = printed_interval(percent, resolution, "", rule)
    # Only whole k near the interval can qualify; test them by the rounding rule itself.
    first, last = max(0, math.floor(low * n / 100) - 1), min(n, math.ceil(high * n / 100) + 1)
    return [k for k in range(first, last + 1) if within(100 * k / n, percent, resolution, "", rule)]


def granularity(percent: float, n: int, resolution: float, rule: str = "half_up") -> Check:
    """Is a printed percentage achievable as k/n for this n at its printed precision?"""
    ks = achievable_counts(percent, n, resolution, rule)
    detail = (f"{_fmt(percent)}% of {n} is achievable as k = {', '.join(map(str, ks))}" if ks
              else f"no whole number k of {n} gives {_fmt(percent)}%")
    return Check("granularity", bool(ks), f"{RULE_NAMES[rule]} to {_fmt(resolution)} percentage point", detail)


def mean_granularity(mean: float, n: int, resolution: float, rule: str = "half_up") -> Check:
    """GRIM for a mean of n integer responses: is mean*n within reach of a whole total?"""
    centre = mean * n
    totals = [t for t in range(math.floor(centre) - 1, math.ceil(centre) + 2)
              if t >= 0 and within(t / n, mean, resolution, "", rule)]
    detail = (f"a mean of {mean} from {n} whole-number responses needs a total of {totals}" if totals
              else f"no whole-number total of {n} responses has a mean printing as {mean}")
    return Check("granularity", bool(totals), f"{RULE_NAMES[rule]} to {_fmt(resolution)}", detail)


def smallest_consistent_n(percents, resolutions, rule: str = "half_up", n_max: int = 5000) -> int | None:
    """The smallest sample size for which every percentage is achievable as k/n."""
    for n in range(1, n_max + 1):
        if all(achievable_counts(p, n, r, rule) for p, r in zip(percents, resolutions)):
            return n
    return None


def consistent_ns(percents, resolutions, rule: str = "half_up", n_max: int = 1000) -> list[int]:
    """Every sample size up to n_max for which all percentages are achievable."""
    return [n for n in range(1, n_max + 1)
            if all(achievable_counts(p, n, r, rule) for p, r in zip(percents, resolutions))]


def wilson_interval(k: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Wilson score interval for k/n, as percentages (statsmodels)."""
    from statsmodels.stats.proportion import proportion_confint  # slow import (scipy): only here

    low, high = proportion_confint(k, n, alpha=1 - confidence, method="wilson")
    return 100 * low, 100 * high


def cross_source(stated: float, resolution: float, qualifier: str,
                 other: float, other_resolution: float, other_qualifier: str,
                 other_label: str, rule: str = "half_up") -> Check:
    """Do two printed values for one quantity stand for overlapping intervals?"""
    a = printed_interval(stated, resolution, qualifier, rule)
    b = printed_interval(other, other_resolution, other_qualifier, rule)
    strict = "more than" in (qualifier, other_qualifier)
    low, high = max(a[0], b[0]), min(a[1], b[1])
    ok = low < high if strict else low <= high
    detail = (f"the publication's {qualifier + ' ' if qualifier else ''}{_fmt(stated)} and {other_label}'s "
              f"{other_qualifier + ' ' if other_qualifier else ''}{_fmt(other)} "
              + ("can stand for the same value" if ok else "cannot both be right"))
    return Check("cross-source", ok, f"printed values as intervals, {RULE_NAMES[rule]}", detail, other)


def bounds(stated: float, low: float, high: float, how: str) -> Check:
    """A range check: the printed value lies within bounds implied by other figures."""
    ok = low <= stated <= high
    return Check("bounds", ok, "inclusive range", f"{how}: {_fmt(low)} to {_fmt(high)}; the publication prints {_fmt(stated)}")


def verdict(checks) -> str:
    """The verdict the checks add up to.

    No check: unverifiable. Any failed check: discrepancy. Otherwise reproduced
    if a recomputation from tabulated inputs matched, else consistent.
    """
    checks = list(checks)
    if not checks:
        return "unverifiable"
    if not all(c.passed for c in checks):
        return "discrepancy"
    if any(c.name == "recompute" for c in checks):
        return "reproduced"
    return "consistent"
