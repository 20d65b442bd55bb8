"""Figures: one colour-blind-safe palette and one way to save them.

Figures carry no Chinese glyphs (the project installs no CJK font). Each is saved
as PNG and SVG, reproducibly (no timestamps or software tags; SVG ids from a fixed
salt), with the numbers it plots as CSV beside them.
"""

from __future__ import annotations

import io
import os
import textwrap
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt

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


def save(fig, name: str, data=None) -> Path:
    """Save book/figures/<name>.png and .svg without volatile metadata, and, given the
    DataFrame of the numbers the figure plots, <name>.csv beside them; return the PNG's path."""
    folder = figures_dir()
    folder.mkdir(parents=True, exist_ok=True)
    for kind, metadata in [("png", {"Software": None}), ("svg", {"Date": None, "Creator": None})]:
        buffer = io.BytesIO()
        fig.savefig(buffer, format=kind, metadata=metadata)
        write_if_changed(folder / f"{name}.{kind}", buffer.getvalue())
    if data is not None:
        write_if_changed(folder / f"{name}.csv", csv_bytes(data))
    return folder / f"{name}.png"
