"""Checks that judge a printed number, and the verdict they add up to.

A printed number stands for the interval of values that print as it. Each
check says which rounding rule it assumed: "half_up" (round half away from
zero, the usual reporting rule), "half_even" (banker's rounding), "truncate"
(digits cut off) or "up" (always rounded up). Every check returns a Check:
passed or not, the rule, a sentence saying what was compared, and its power.

A check supports a verdict only if it could have failed with the inputs at
hand. Each check says which printed values it would have rejected
(``rejects``); one that would have rejected none says why (``no_power``), is
shown, and does not count towards the verdict.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal

RULES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "truncate": ROUND_DOWN, "up": ROUND_UP}
RULE_NAMES = {"half_up": "round half up", "half_even": "round half to even", "truncate": "truncation",
              "up": "rounding up"}

VERDICTS = ("reproduced", "consistent", "discrepancy", "unverifiable")
CONFIDENCE = 0.95  # level of every interval the compendium reports


@dataclass(frozen=True)
class Check:
    """One named check of one claim."""

    name: str  # "recompute", "granularity", "cross-source", "bounds", "comparison"
    passed: bool
    rule: str  # the assumption, e.g. "round half up to a resolution of 0.1"
    detail: str  # what was compared, in a sentence
    recomputed: float | None = None
    rejects: str = ""  # the printed values it would have rejected
    no_power: str = ""  # why it would have rejected none ("" when it has power)

    @property
    def has_power(self) -> bool:
        return not self.no_power

    def describe(self) -> str:
        mark = "passes" if self.passed else "FAILS"
        if not self.has_power:
            return f"{self.name} ({self.rule}) {mark}, NO POWER, not counted: {self.detail}; {self.no_power}"
        return f"{self.name} ({self.rule}) {mark}: {self.detail}; it would have rejected {self.rejects}"


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
    rejects = (f"any printed value other than {_fmt(shown)}" if not qualifier
               else f"any value that {_fmt(computed)} is not {qualifier}")
    return Check("recompute", ok, f"{RULE_NAMES[rule]} to a resolution of {_fmt(resolution)}", detail, computed,
                 rejects=rejects)


def recompute_range(stated: float, resolution: float, low: float, high: float, how: str,
                    rule: str = "half_up") -> Check:
    """Recompute where an input is only known to lie in a range (e.g. days in 10 months).

    Passes when both ends print as the stated value, so every admissible input does.
    """
    ok = within(low, stated, resolution, "", rule) and within(high, stated, resolution, "", rule)
    detail = f"{how} lies between {_fmt(low)} and {_fmt(high)}; the publication prints {_fmt(stated)}"
    ends = sorted({round_to(low, resolution, rule), round_to(high, resolution, rule)})
    return Check("recompute", ok, f"{RULE_NAMES[rule]} to a resolution of {_fmt(resolution)}, at both ends of the range",
                 detail, (low + high) / 2, rejects=f"any printed value other than {' or '.join(map(_fmt, ends))}")


def achievable_counts(percent: float, n: int, resolution: float, rule: str = "half_up") -> list[int]:
    """Every k in 0..n with 100*k/n printing as the percentage (GRIM for proportions)."""
    low, high = printed_interval(percent, resolution, "", rule)
    # Only whole k near the interval can qualify; test them by the rounding rule itself.
    first, last = max(0, math.floor(low * n / 100) - 1), min(n, math.ceil(high * n / 100) + 1)
    return [k for k in range(first, last + 1) if within(100 * k / n, percent, resolution, "", rule)]


def unachievable_percentages(n: int, resolution: float, rule: str = "half_up") -> list[float]:
    """Every percentage printable at this resolution (0 to 100) that no k/n prints as."""
    steps = round(100 / resolution)
    return [round_to(i * resolution, resolution) for i in range(steps + 1)
            if not achievable_counts(round_to(i * resolution, resolution), n, resolution, rule)]


def granularity(percent: float, n: int, resolution: float, rule: str = "half_up", n_fitted: bool = False) -> Check:
    """Is a printed percentage achievable as k/n for this n at its printed precision?

    ``n_fitted``: n was chosen so that these very percentages are achievable,
    so the check cannot fail (no power, by construction).
    """
    ks = achievable_counts(percent, n, resolution, rule)
    detail = (f"{_fmt(percent)}% of {n} is achievable as k = {', '.join(map(str, ks))}" if ks
              else f"no whole number k of {n} gives {_fmt(percent)}%")
    rule_text = f"{RULE_NAMES[rule]} to {_fmt(resolution)} percentage point"
    if n_fitted:
        return Check("granularity", bool(ks), rule_text, detail,
                     no_power=f"n = {n} was chosen to fit these percentages, so it would have rejected none")
    rejected = unachievable_percentages(n, resolution, rule)
    if not rejected:
        return Check("granularity", bool(ks), rule_text, detail,
                     no_power=f"at n = {n:,} every percentage printed to {_fmt(resolution)} is achievable")
    shown = ", ".join(f"{_fmt(v)}%" for v in rejected[:3]) + (", ..." if len(rejected) > 3 else "")
    return Check("granularity", bool(ks), rule_text, detail,
                 rejects=f"{len(rejected):,} of the {round(100 / resolution) + 1:,} printable percentages ({shown})")


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
    # A printed value stands for a half-open interval ("2" is 1.5 up to, not including,
    # 2.5 under round half up), so two intervals that only touch do not overlap.
    low, high = max(a[0], b[0]), min(a[1], b[1])
    ok = low < high
    detail = (f"the publication's {qualifier + ' ' if qualifier else ''}{_fmt(stated)} and {other_label}'s "
              f"{other_qualifier + ' ' if other_qualifier else ''}{_fmt(other)} "
              + ("can stand for the same value" if ok else "cannot both be right"))
    if math.isinf(b[0]) and math.isinf(b[1]):
        return Check("cross-source", ok, f"printed values as intervals, {RULE_NAMES[rule]}", detail, other,
                     no_power=f"{other_label}'s figure bounds nothing")
    below = f"at or below {_fmt(b[0])}" if not math.isinf(b[0]) else ""
    above = f"at or above {_fmt(b[1])}" if not math.isinf(b[1]) else ""
    return Check("cross-source", ok, f"printed values as intervals, {RULE_NAMES[rule]}", detail, other,
                 rejects="printed values standing wholly " + " or ".join(filter(None, [below, above])))


def bounds(stated: float, low: float, high: float, how: str) -> Check:
    """A range check: the printed value lies within bounds implied by other figures."""
    ok = low <= stated <= high
    return Check("bounds", ok, "inclusive range", f"{how}: {_fmt(low)} to {_fmt(high)}; the publication prints {_fmt(stated)}",
                 rejects=f"printed values below {_fmt(low)} or above {_fmt(high)}")


def comparison(larger: float, smaller: float, how: str) -> Check:
    """A stated ordering ("has now surpassed") against the figures it compares."""
    ok = larger > smaller
    return Check("comparison", ok, "strict inequality", f"{how}: {_fmt(larger)} against {_fmt(smaller)}",
                 rejects="the opposite ordering")


def verdict(checks) -> str:
    """The verdict the checks add up to.

    Only checks with power count. None: unverifiable. Any failed check:
    discrepancy. Otherwise reproduced if a recomputation from tabulated inputs
    matched, else consistent.
    """
    checks = [c for c in checks if c.has_power]
    if not checks:
        return "unverifiable"
    if not all(c.passed for c in checks):
        return "discrepancy"
    if any(c.name == "recompute" for c in checks):
        return "reproduced"
    return "consistent"
