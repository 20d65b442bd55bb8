"""Reading printed values: the rules validation applies to every register row."""

import pytest

from compendium.numbers import PERIODS, per_year, printed_value, resolution_bounds


@pytest.mark.parametrize("stated, value", [
    ("785,900", 785900), ("4.7 million", 4.7e6), ("over 80 million", 80e6), ("73.5%", 73.5), ("26%", 26),
    ("two years", 2), ("Five years", 5), ("a dozen", 12), ("twice", 2), ("up to 2,000 yuan", 2000),
    ("between 2012 and 2018", 2012), ("no fewer than 22", 22), ("none", None),
    ("between 21.5 and 25 million", 21.5e6), ("doubled", 2), ("eight months", 8),
])
def test_printed_value(stated, value):
    assert printed_value(stated) == value


@pytest.mark.parametrize("stated, rate", [
    ("At least once every two weeks", 26), ("Once a month", 12), ("Once every three months", 4),
    ("At least twice a year", 2), ("At least once every half year", 2), ("every two months", 6),
    ("weekly", 52), ("monthly", 12), ("every day", 365), ("now and then", None),
])
def test_per_year_uses_the_calendar(stated, rate):
    assert per_year(stated) == rate


def test_periods_come_from_the_calendar():
    assert PERIODS["day"] == 365 and PERIODS["week"] == 52 and PERIODS["month"] == 12


@pytest.mark.parametrize("stated, bounds", [
    ("73.5%", (0.1, 0.1)), ("785,900", (1, 100)), ("2020", (1, 10)), ("4.7 million", (1e5, 1e5)),
    ("300,000", (1, 100000)), ("two", (1, 1)), ("every day", None),
])
def test_resolution_bounds(stated, bounds):
    assert resolution_bounds(stated) == (pytest.approx(bounds) if bounds else None)
