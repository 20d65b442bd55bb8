"""The check engine against published examples and hand-worked cases."""

import math

import pytest

from compendium import checks as ck


# GRIM (Brown & Heathers 2017): a mean of 5.19 from 28 integer responses is impossible.
def test_grim_published_impossible_mean():
    assert not ck.mean_granularity(5.19, 28, 0.01).passed


def test_grim_possible_neighbours():
    # 145/28 = 5.179 -> 5.18 and 146/28 = 5.214 -> 5.21 are achievable.
    assert ck.mean_granularity(5.18, 28, 0.01).passed
    assert ck.mean_granularity(5.21, 28, 0.01).passed


@pytest.mark.parametrize("x, resolution, rule, expected", [
    (2.5, 1, "half_up", 3), (2.5, 1, "half_even", 2), (3.5, 1, "half_even", 4),
    (2.59, 0.1, "truncate", 2.5), (2148000, 100000, "half_up", 2100000), (2150000, 100000, "half_up", 2200000),
    (0.125, 0.01, "half_up", 0.13), (0.125, 0.01, "half_even", 0.12),
])
def test_round_to_rules(x, resolution, rule, expected):
    assert ck.round_to(x, resolution, rule) == pytest.approx(expected)


def test_percentage_granularity():
    # 1/3 = 33.3% but no k/3 gives 50%.
    assert ck.granularity(33.3, 3, 0.1).passed
    assert not ck.granularity(50.0, 3, 0.1).passed
    assert ck.achievable_counts(50.0, 4, 1) == [2]


def test_granularity_depends_on_rule():
    # 2/8 = 25.0%, 1/8 = 12.5%: "13%" is achievable with n = 8 by half up, not by truncation.
    assert ck.granularity(13, 8, 1, "half_up").passed
    assert not ck.granularity(13, 8, 1, "truncate").passed


def test_smallest_consistent_n():
    assert ck.smallest_consistent_n([33.3, 66.7], [0.1, 0.1]) == 3
    assert ck.smallest_consistent_n([50.0], [1]) == 2
    assert ck.smallest_consistent_n([12.5, 37.5], [0.1, 0.1]) == 8
    assert ck.smallest_consistent_n([0.1], [0.1], n_max=100) is None


# Newcombe (1998), Statistics in Medicine 17:857-872, Table I, Wilson score method.
@pytest.mark.parametrize("k, n, low, high", [(81, 263, 25.53, 36.62), (15, 148, 6.24, 16.05), (0, 20, 0.0, 16.11)])
def test_wilson_interval_matches_newcombe(k, n, low, high):
    lo, hi = ck.wilson_interval(k, n)
    assert lo == pytest.approx(low, abs=0.01) and hi == pytest.approx(high, abs=0.01)


def test_recompute_passes_and_fails():
    assert ck.recompute(12, 1, 3640 / 304, "per day").passed
    failing = ck.recompute(2.2e6, 1e5, 2148000, "report")
    assert not failing.passed and failing.recomputed == 2148000
    assert "round half up" in failing.rule


def test_recompute_range_needs_both_ends():
    assert ck.recompute_range(12, 1, 3640 / 306, 3640 / 299, "x").passed
    assert not ck.recompute_range(12, 1, 3640 / 320, 3640 / 299, "x").passed  # 11.375 prints as 11


def test_qualifiers_bound_values():
    assert ck.within(785900, 785000, 1000, "more than")
    assert not ck.within(785000, 785000, 1000, "more than")
    assert ck.within(500, 500, 1, "at most") and not ck.within(501, 500, 1, "at most")
    assert ck.printed_interval(26, 1) == (25.5, 26.5)
    assert ck.printed_interval(26, 1, rule="truncate") == (26, 27)
    assert ck.printed_interval(3, 1, "at least")[1] == math.inf


def test_cross_source():
    assert ck.cross_source(785900, 100, "", 785000, 1000, "more than", "news").passed
    assert not ck.cross_source(2, 1, "", 3, 1, "", "neighbour").passed  # [1.5, 2.5) and [2.5, 3.5) only touch
    assert ck.cross_source(3, 1, "", 3, 1, "", "same").passed
    assert not ck.cross_source(2.2e6, 1e5, "", 2148000, 1000, "", "report").passed
    assert ck.cross_source(2, 1, "", 2, 1, "about", "Yang").passed


def test_verdict_combination():
    ok_recompute = ck.Check("recompute", True, "r", "d")
    ok_bounds = ck.Check("bounds", True, "r", "d")
    failed = ck.Check("granularity", False, "r", "d")
    assert ck.verdict([]) == "unverifiable"
    assert ck.verdict([ok_bounds]) == "consistent"
    assert ck.verdict([ok_bounds, ok_recompute]) == "reproduced"
    assert ck.verdict([ok_recompute, failed]) == "discrepancy"


# Power: a check supports a verdict only if it could have failed with the inputs at hand.
def test_granularity_with_thousands_at_whole_percents_has_no_power():
    check = ck.granularity(26, 3640, 1)
    assert check.passed and not check.has_power
    assert "every percentage printed to 1 is achievable" in check.no_power
    assert ck.unachievable_percentages(3640, 1) == []


def test_granularity_with_a_small_n_has_power_and_says_what_it_rejects():
    check = ck.granularity(33.3, 3, 0.1)
    assert check.has_power and check.passed
    assert 50.0 in ck.unachievable_percentages(3, 0.1) and 33.3 not in ck.unachievable_percentages(3, 0.1)
    assert check.rejects.startswith(f"{len(ck.unachievable_percentages(3, 0.1)):,} of the 1,001")


def test_granularity_at_a_fitted_n_has_no_power_by_construction():
    check = ck.granularity(73.5, 200, 0.1, n_fitted=True)
    assert check.passed and not check.has_power and "chosen to fit" in check.no_power


def test_checks_without_power_do_not_count():
    powerless = ck.granularity(26, 3640, 1)
    assert ck.verdict([powerless]) == "unverifiable"
    assert ck.verdict([powerless, ck.bounds(5, 1, 10, "x")]) == "consistent"
    assert "NO POWER, not counted" in powerless.describe()


def test_powerful_checks_say_what_they_would_reject():
    assert ck.recompute(12, 1, 3640 / 304, "per day").rejects == "any printed value other than 12"
    cross = ck.cross_source(785900, 100, "", 785000, 1000, "more than", "news")
    assert cross.has_power and cross.rejects == "printed values standing wholly at or below 785,000"
    assert not ck.cross_source(1, 1, "", 5, 1, "about", "x").passed
    assert ck.comparison(2533000, 2148000, "former against current").passed
    assert not ck.comparison(2148000, 2533000, "x").passed


def test_rounding_up_rule():
    assert ck.round_to(2148000, 100000, "up") == 2200000
    assert ck.round_to(2533000, 100000, "up") == 2600000
