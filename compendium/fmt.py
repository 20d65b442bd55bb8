"""Numbers as the book prints them. Glue these strings, never retype them."""

from __future__ import annotations


def count(x) -> str:
    """A whole number with thousands separators: 3,640."""
    return f"{round(float(x)):,}"


def decimal(x, places: int = 1) -> str:
    """A number to a fixed number of decimal places: 11.97."""
    return f"{float(x):,.{places}f}"


def percent(x, places: int = 1) -> str:
    """A percentage with its sign: 26.0%."""
    return f"{float(x):.{places}f}%"


def millions(x, places: int = 1) -> str:
    """Persons in millions: 4.7 million."""
    return f"{float(x) / 1e6:.{places}f} million"


def interval(low, high, places: int = 1) -> str:
    """A percentage interval: 94.4%–97.2%."""
    return f"{float(low):.{places}f}%–{float(high):.{places}f}%"
