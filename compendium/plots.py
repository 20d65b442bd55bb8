"""Figures: one colour-blind-safe palette and one way to save them.

Figures carry no Chinese glyphs (the project installs no CJK font). Each is saved
as PNG and SVG, reproducibly (no timestamps or software tags; SVG ids from a fixed
salt), always with the numbers it plots as CSV beside them.
"""

from __future__ import annotations

import io
import os
import textwrap
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd

from . import ROOT
from .data import csv_bytes, write_if_changed

# Okabe & Ito (2008), safe for the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]


def figures_dir() -> Path:
    """book/figures, unless tests redirect figures elsewhere."""
    return Path(os.environ.get("COMPENDIUM_FIGURES_DIR", ROOT / "book" / "figures"))


plt.rcParams.update({
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "font.size": 10,
    "svg.hashsalt": "compendium",
})


def figure(width: float = 7.0, height: float = 3.6):
    """A new figure and axes of the book's standard size."""
    return plt.subplots(figsize=(width, height), layout="constrained")


def label(fig, ax, title: str, xlabel: str, source: str) -> None:
    """The book's conventions: a title that states the finding (wrapped), the axis unit,
    and the source under the plot, in space reserved for it."""
    ax.set_title(textwrap.fill(title, 70), loc="left", fontsize=11)
    ax.set_xlabel(xlabel)
    fig.get_layout_engine().set(rect=(0, 0.07, 1, 0.93))
    fig.text(0.01, 0.015, textwrap.fill("Source: " + source, 110), fontsize=9, va="bottom")


def whole_numbers_as_integers(frame: pd.DataFrame) -> pd.DataFrame:
    """The table with each float column whose values are all whole as integers ('26', not
    '26.0'); other columns as they are, so no value is rounded."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_float_dtype(values) and (values.dropna() % 1 == 0).all():
            out[column] = values.astype("Int64")
    return out


def save(fig, name: str, data: pd.DataFrame) -> Path:
    """Save book/figures/<name>.png and .svg without volatile metadata, and <name>.csv
    beside them; return the PNG's path.

    Every figure ships its numbers: `data` is required, a DataFrame with one row per
    mark the figure draws (bar, point, band, segment), plain column names with their
    units, and columns saying where each value comes from (printed by a source or
    computed, and from what) and whether it is a bound. The chapter links all three
    files below the figure; tests/test_figures.py checks that they exist.
    """
    if not isinstance(data, pd.DataFrame) or data.empty:
        raise ValueError(f"figure {name!r}: data must be a non-empty DataFrame of the numbers it plots")
    folder = figures_dir()
    folder.mkdir(parents=True, exist_ok=True)
    for kind, metadata in [("png", {"Software": None}), ("svg", {"Date": None, "Creator": None})]:
        buffer = io.BytesIO()
        fig.savefig(buffer, format=kind, metadata=metadata)
        write_if_changed(folder / f"{name}.{kind}", buffer.getvalue())
    write_if_changed(folder / f"{name}.csv", csv_bytes(whole_numbers_as_integers(data)))
    return folder / f"{name}.png"
