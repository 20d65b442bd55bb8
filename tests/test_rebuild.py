"""Incremental rebuilds, on a temporary copy of the project.

One cold build per module (execute + jupyter-book, as `make book` does), then
the tests below run in order on the same copy: a no-op rebuild, touched data
files, one edited table, and two failures. The copy gets a third notebook
that reads only the sources table, so that "only the readers of a table
re-execute" can fail, and a page that only glues (see add_pages).
"""

import csv
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

from compendium.bench import copy_project, project_env, set_cell

ROOT = Path(__file__).resolve().parents[1]
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"
TABLE = "data/raw/dcs_schedules.csv"
STATE = "_build/execution-state.json"
PERIODS_PER_YEAR = {"week": 52, "month": 12, "year": 1}  # as in notebooks/dcs.ipynb


def run(root, *command):
    return subprocess.run([str(c) for c in command], cwd=root, env=project_env(root),
                          capture_output=True, text=True, timeout=900)


def execute(root):
    return run(root, sys.executable, "-m", "compendium.execute")


def html_pages(root):
    html = root / "_build" / "html"
    return {p.relative_to(html).as_posix(): p.stat().st_mtime_ns for p in html.rglob("*.html")}


def build_book(root):
    """The HTML build of `make book`; return the pages Sphinx (re)wrote."""
    before = html_pages(root) if (root / "_build" / "html").exists() else {}
    result = run(root, JUPYTER_BOOK, "build", root, "--builder", "html", "-W", "--keep-going", "--quiet")
    assert result.returncode == 0, result.stdout + result.stderr
    return {page for page, mtime in html_pages(root).items() if before.get(page) != mtime}


def executing(stdout):
    return set(re.findall(r"^executing (\S+)", stdout, flags=re.M))


def up_to_date(stdout):
    return set(re.findall(r"^up to date: (\S+)$", stdout, flags=re.M))


def outputs_changed(stdout):
    return set(re.findall(r"^executed (\S+) in .*\(outputs changed\)$", stdout, flags=re.M))


def notebooks(root):
    return {f"notebooks/{p.name}" for p in (root / "notebooks").glob("*.ipynb")}


def snapshot(root, *patterns):
    """Bytes of the files matching the patterns, by relative path."""
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for pattern in patterns for p in sorted(root.glob(pattern)) if p.is_file()}


def extreme_per_year(table):
    """Counselling + urine tests a year at extreme risk, from the table itself."""
    with open(table, encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["schedule_id"].startswith("table1-extreme-")]
    assert len(rows) == 2, rows
    return sum(int(r["times"]) * PERIODS_PER_YEAR[r["period"]] / int(r["every"]) for r in rows)


def glued_extreme_year(page):
    """The number glued after "come to at least" in the chapter's HTML."""
    match = re.search(r'come to at least\s*<span class="pasted-text">([^<]*)</span>', page.read_text("utf-8"))
    assert match, f"no glued number after 'come to at least' in {page}"
    return match.group(1)


def add_pages(root):
    """Two pages, listed under Appendices in the copy's _toc.yml.

    notebooks/other.ipynb reads only `sources`. book/glue-probe.md glues the
    extreme-risk number from notebooks/dcs.ipynb and has no other dependency
    (book/dcs.md also offers the edited table for download, which alone makes
    Sphinx re-read it), so it shows whether glue dependencies are tracked.
    """
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Sources\n\nA notebook that reads only the sources table."),
        nbformat.v4.new_code_cell('from compendium.data import load_table\n\nprint(len(load_table("sources")))'),
    ]
    nbformat.write(nb, root / "notebooks" / "other.ipynb")
    (root / "book" / "glue-probe.md").write_text(
        "# Glue probe\n\nCounselling and urine tests come to at least\n"
        "{glue:text}`../notebooks/dcs.ipynb::dcs_contacts_extreme_year:s` a year at extreme risk.\n",
        encoding="utf-8")
    toc = root / "_toc.yml"
    entry = "      - file: notebooks/ledger\n"
    text = toc.read_text(encoding="utf-8")
    assert entry in text, "the Appendices part of _toc.yml no longer lists notebooks/ledger"
    added = "      - file: notebooks/other\n      - file: book/glue-probe\n"
    toc.write_text(text.replace(entry, entry + added), encoding="utf-8")


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A copy of the project with a cold build (the only one of this module)."""
    root = tmp_path_factory.mktemp("rebuild") / "project"
    copy_project(ROOT, root)
    add_pages(root)
    cold = execute(root)
    assert cold.returncode == 0, cold.stdout + cold.stderr
    build_book(root)
    return SimpleNamespace(root=root, cold=cold.stdout)


def test_cold_build_executes_every_notebook(project):
    assert executing(project.cold) == notebooks(project.root)
    assert "notebooks/other.ipynb" in executing(project.cold)
    assert (project.root / "_build" / "html" / "notebooks" / "other.html").exists()


def test_noop_rebuild_executes_nothing_and_writes_no_page(project):
    root = project.root
    before = snapshot(root, "notebooks/*.ipynb", "data/derived/*", "book/figures/*", STATE)
    result = execute(root)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines and all(line.startswith("up to date: ") for line in lines), result.stdout
    assert up_to_date(result.stdout) == notebooks(root)
    assert snapshot(root, "notebooks/*.ipynb", "data/derived/*", "book/figures/*", STATE) == before
    assert build_book(root) == set()


def test_touched_data_files_reexecute_nothing(project):
    root = project.root
    now = time.time()
    touched = [p for p in (root / "data").rglob("*") if p.is_file()]
    for path in touched:
        assert path.stat().st_mtime < now
        os.utime(path, (now, now))  # newer, same content
    before = snapshot(root, "notebooks/*.ipynb", "data/derived/*", "book/figures/*", STATE)
    result = execute(root)
    assert result.returncode == 0, result.stderr
    assert executing(result.stdout) == set(), result.stdout
    assert up_to_date(result.stdout) == notebooks(root)
    assert snapshot(root, "notebooks/*.ipynb", "data/derived/*", "book/figures/*", STATE) == before
    # Sphinx goes by mtime: it may re-write pages that offer a touched file for
    # download (and their toctree parents). No notebook was rewritten, so the page
    # of a notebook without download links must not be.
    written = build_book(root)
    quiet = {f"notebooks/{p.stem}.html" for p in (root / "notebooks").glob("*.ipynb")
             if "{download}" not in p.read_text(encoding="utf-8")}
    assert "notebooks/other.html" in quiet
    assert not quiet & written, written


def test_table_edit_reexecutes_its_readers_and_updates_the_page(project):
    root = project.root
    html = root / "_build" / "html"
    state = json.loads((root / STATE).read_text(encoding="utf-8"))
    readers = {f"notebooks/{name}" for name, record in state.items() if TABLE in record["reads"]}
    assert "notebooks/dcs.ipynb" in readers and "notebooks/other.ipynb" not in readers, readers

    table = root / TABLE
    old = extreme_per_year(table)
    set_cell(table, "schedule_id", "table1-extreme-urine", "every", "1")  # every 2 weeks -> every week
    new = extreme_per_year(table)
    assert f"{round(new):,}" != f"{round(old):,}"
    for page in ("book/dcs.html", "book/glue-probe.html"):
        assert glued_extreme_year(html / page) == f"{round(old):,}"
    derived = snapshot(root, "data/derived/*")
    notebook_page = (html / "notebooks" / "dcs.html").read_bytes()

    result = execute(root)
    assert result.returncode == 0, result.stdout + result.stderr
    # Round 1: the readers of the table. Round 2: readers of a derived file that changed.
    changed = {name for name, content in snapshot(root, "data/derived/*").items() if derived.get(name) != content}
    assert "data/derived/judgements-dcs.csv" in changed  # it holds the recomputed per-year value
    second = {f"notebooks/{name}" for name, record in state.items() if set(record["reads"]) & changed}
    assert executing(result.stdout) == readers | second, result.stdout
    assert "notebooks/other.ipynb" in up_to_date(result.stdout)

    written = build_book(root)
    assert {"book/dcs.html", "book/glue-probe.html", "notebooks/dcs.html"} <= written, written
    assert "notebooks/other.html" not in written
    # The ledger joins the judgements and prints the joined file's hash, so its outputs
    # change and the intro, which glues from it, must be re-written. (Sphinx also
    # re-writes the intro as the toctree parent of re-read chapters, so "only if the
    # ledger changed" cannot be tested; glue-probe above tests glue dependencies.)
    assert "data/derived/ledger.csv" in changed
    assert "notebooks/ledger.ipynb" in outputs_changed(result.stdout)
    assert "book/intro.html" in written
    assert (html / "notebooks" / "dcs.html").read_bytes() != notebook_page
    for page in ("book/dcs.html", "book/glue-probe.html"):
        assert glued_extreme_year(html / page) == f"{round(new):,}"


def build(root):
    """`make book`'s command: execute, then Sphinx unless no input changed."""
    return run(root, sys.executable, "-m", "compendium.build")


def test_build_skips_sphinx_when_no_input_changed(project):
    root = project.root
    first = build(root)  # the module's cold build ran the steps by hand: no stamp yet
    assert first.returncode == 0, first.stdout + first.stderr
    pages = html_pages(root)
    second = build(root)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "book up to date" in second.stdout and "Running Jupyter-Book" not in second.stdout
    assert html_pages(root) == pages
    now = time.time()
    for path in (root / "data").rglob("*"):
        if path.is_file():
            os.utime(path, (now, now))  # newer, same content: still nothing to do
    assert "book up to date" in build(root).stdout
    assert html_pages(root) == pages
    (root / "book" / "glue-probe.md").write_text(
        (root / "book" / "glue-probe.md").read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    third = build(root)
    assert third.returncode == 0 and "book up to date" not in third.stdout, third.stdout
    assert "One more sentence." in (root / "_build" / "html" / "book" / "glue-probe.html").read_text(encoding="utf-8")


def test_bad_table_value_fails_the_build_before_any_notebook(project):
    root = project.root
    claims = root / "data" / "raw" / "claims.csv"
    original = claims.read_bytes()
    with open(claims, encoding="utf-8", newline="") as f:
        row, claim_id = 3, list(csv.DictReader(f))[2]["claim_id"]  # the third data row
    kept = snapshot(root, "notebooks/*.ipynb", "data/derived/*")
    set_cell(claims, "claim_id", claim_id, "value", "1,2,3")
    try:
        result = execute(root)
    finally:
        claims.write_bytes(original)
    assert result.returncode != 0
    assert "data/raw/claims.csv" in result.stderr, result.stderr
    assert re.search(rf"\brow {row}\b", result.stderr), result.stderr
    assert "column 'value'" in result.stderr, result.stderr
    assert executing(result.stdout) == set()
    assert snapshot(root, "notebooks/*.ipynb", "data/derived/*") == kept


def test_failing_notebook_fails_the_build_and_keeps_its_file(project):
    root = project.root
    module = root / "compendium" / "fmt.py"  # imported by notebooks/dcs.ipynb
    original = module.read_bytes()
    kept = snapshot(root, "notebooks/*.ipynb", "data/derived/*", "book/figures/*")
    module.write_bytes(original + b'\nraise RuntimeError("broken on purpose by test_rebuild")\n')
    try:
        result = execute(root)
    finally:
        module.write_bytes(original)
    assert result.returncode != 0
    assert "notebooks/dcs.ipynb" in executing(result.stdout)
    assert "error: notebooks/dcs.ipynb failed" in result.stderr, result.stderr
    assert "broken on purpose by test_rebuild" in result.stderr
    assert snapshot(root, "notebooks/*.ipynb", "data/derived/*", "book/figures/*") == kept
    # No record is kept for the failed notebook, so the next build runs it again.
    assert "dcs.ipynb" not in json.loads((root / STATE).read_text(encoding="utf-8"))


def test_fresh_clone_build_shows_recomputed_numbers(tmp_path):
    """A first build starts Sphinx on the committed outputs while notebooks run; when
    execution changes them (here: a table edited before the first build), Sphinx must
    run again so the book shows the recomputed number, not the committed one."""
    root = tmp_path / "project"
    copy_project(ROOT, root)
    table = root / TABLE
    committed = extreme_per_year(table)
    set_cell(table, "schedule_id", "table1-extreme-urine", "every", "1")
    result = build(root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "executing notebooks/dcs.ipynb (never executed here)" in result.stdout
    assert "built while the notebooks ran" not in result.stdout  # the early build was stale
    shown = glued_extreme_year(root / "_build" / "html" / "book" / "dcs.html")
    assert shown == f"{round(extreme_per_year(table)):,}" != f"{round(committed):,}"
