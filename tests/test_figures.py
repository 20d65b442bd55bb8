"""Figures with their data: every {figure} in book/*.md links downloads of its PNG, its
SVG and the CSV of the numbers it plots, all three of the same figure, and the three
files exist in book/figures, the CSV with a header and at least one row."""

import csv
import re
from pathlib import Path

import pandas as pd
import pytest

from compendium import plots

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
PAGES = sorted(BOOK.glob("*.md"))
KINDS = ("png", "svg", "csv")
FIGURE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{figure\}[ \t]*(?P<image>\S+)[ \t]*\n(?P<body>.*?)^(?P=fence)[ \t]*$",
                    re.M | re.S)
DOWNLOAD = re.compile(r"\{download\}`(?P<label>[^`<]*?)\s*<(?P<target>[^>]+)>`")


def figure_blocks(text: str) -> list[tuple[str, str]]:
    """(image path, body) of each {figure} directive in a page."""
    return [(m["image"], m["body"]) for m in FIGURE.finditer(text)]


def csv_problems(path: Path) -> list[str]:
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    if not rows or not all(cell.strip() for cell in rows[0]):
        return [f"{path.name} has no header (or an empty column name)"]
    if len(rows) < 2:
        return [f"{path.name} has a header but no rows"]
    widths = {len(row) for row in rows}
    return [] if widths == {len(rows[0])} else [f"{path.name}: rows of {sorted(widths)} fields, not all as the header"]


def problems(image: str, body: str, page: Path) -> list[str]:
    """What a figure block lacks: a download link of each kind to the same figure, the files, a CSV with rows."""
    name, folder = Path(image).stem, Path(image).parent
    links = {m["label"].strip().lower(): m["target"] for m in DOWNLOAD.finditer(body)}
    found = []
    for kind in KINDS:
        want = (folder / f"{name}.{kind}").as_posix()
        if links.get(kind) != want:
            found.append(f"{image}: no {{download}}`{kind.upper()} <{want}>` in the figure block "
                         f"(found {links.get(kind)!r})")
        if not (page.parent / want).is_file():
            found.append(f"{image}: {want} does not exist")
    if not found:
        found += csv_problems(page.parent / folder / f"{name}.csv")
    return found


FIGURES = [(page, image, body) for page in PAGES for image, body in figure_blocks(page.read_text(encoding="utf-8"))]


def test_the_book_has_figures():
    assert FIGURES, "no {figure} directive found in book/*.md: has the syntax changed?"


@pytest.mark.parametrize("page, image, body", FIGURES, ids=[f"{p.stem}:{Path(i).stem}" for p, i, _ in FIGURES])
def test_every_figure_links_its_png_svg_and_csv(page, image, body):
    found = problems(image, body, page)
    assert not found, f"{page.name}: a figure must link its PNG, SVG and CSV (plots.save writes all three):\n" + \
        "\n".join(found)


def test_the_checker_catches_a_missing_link_a_missing_file_and_an_empty_csv(tmp_path):
    (tmp_path / "figures").mkdir()
    page = tmp_path / "page.md"
    for kind in KINDS:
        (tmp_path / "figures" / f"f.{kind}").write_text("a,b\n1,2\n", encoding="utf-8")
    line = ("Download the figure as {download}`PNG <figures/f.png>` or {download}`SVG <figures/f.svg>`, "
            "and the numbers it plots as {download}`CSV <figures/f.csv>`.")
    text = f"Prose.\n\n```{{figure}} figures/f.png\n:name: fig-f\n\nCaption.\n{line}\n```\n"
    [(image, body)] = figure_blocks(text)
    assert image == "figures/f.png" and problems(image, body, page) == []
    assert len(problems(image, body.replace(line, ""), page)) == len(KINDS)  # no download line
    assert problems(image, body.replace("figures/f.csv", "figures/g.csv"), page)  # another figure's CSV
    (tmp_path / "figures" / "f.svg").unlink()
    assert any("f.svg does not exist" in p for p in problems(image, body, page))
    (tmp_path / "figures" / "f.svg").write_text("<svg/>", encoding="utf-8")
    (tmp_path / "figures" / "f.csv").write_text("a,b\n", encoding="utf-8")
    assert any("no rows" in p for p in problems(image, body, page))


def test_save_requires_the_numbers_and_writes_them_beside_the_figure(tmp_path, monkeypatch):
    monkeypatch.setenv("COMPENDIUM_FIGURES_DIR", str(tmp_path))
    fig, ax = plots.figure()
    ax.bar([0, 1], [26.0, 2.5])
    with pytest.raises(TypeError):
        plots.save(fig, "f")  # no data
    with pytest.raises(ValueError):
        plots.save(fig, "f", data=pd.DataFrame())
    assert not any(tmp_path.iterdir())
    plots.save(fig, "f", data=pd.DataFrame({"count": [26.0, None], "percent": [2.5, 1.0]}))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.csv", "f.png", "f.svg"]
    assert (tmp_path / "f.csv").read_text(encoding="utf-8") == "count,percent\n26,2.5\n,1.0\n"
