"""Incremental builds, on a temporary copy of the project (`make book`'s command).

One build per module in a fresh copy; the tests below then run in order on
that copy. The copy gets a second notebook that reads only the sources table,
so that "only the readers of a table re-execute" can fail, and a page that
only glues from the DCS notebook, so that "only the pages whose data changed
are re-read" can fail.
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

import pytest

from compendium.book.project import copy_project, project_env, set_cell

ROOT = Path(__file__).resolve().parents[1]
TABLE = "data/raw/dcs_schedules.csv"
OUTPUTS = ("notebooks/*.ipynb", "data/derived/*", "book/figures/*")


def build(root, *args):
    return subprocess.run([sys.executable, "-m", "compendium.book.build", *args], cwd=root,
                          env=project_env(root), capture_output=True, text=True, timeout=900)


def executing(stdout):
    return set(re.findall(r"^executing (\S+)", stdout, flags=re.M))


def reread(root):
    """The pages Sphinx re-read in the last build (written by compendium.book.sphinx_ext)."""
    return set((root / "_build" / "reread.txt").read_text(encoding="utf-8").split())


def snapshot(root, *patterns):
    """Bytes of the files matching the patterns, by relative path."""
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for pattern in patterns for p in sorted(root.glob(pattern)) if p.is_file()}


def glued(root, page, before):
    """The glued number that follows `before` on a built page."""
    text = (root / "_build" / "html" / page).read_text(encoding="utf-8")
    match = re.search(re.escape(before) + r'\s*<span class="glued">([^<]*)</span>', text)
    assert match, f"no glued number after {before!r} in {page}"
    return match.group(1)


def add_pages(root):
    """notebooks/other (reads only `sources`) and book/glue-probe (glues one DCS number)."""
    (root / "notebooks" / "md" / "other.md").write_text(
        "---\nkernelspec:\n  display_name: Python 3 (ipykernel)\n  language: python\n  name: python3\n---\n\n"
        "# Sources\n\nA notebook that reads only the sources table.\n\n"
        "```{code-cell} ipython3\nfrom compendium.data import load_table\n\nprint(len(load_table(\"sources\")))\n```\n",
        encoding="utf-8")
    (root / "book" / "glue-probe.md").write_text(
        "---\nglue: dcs\n---\n\n# Glue probe\n\n"
        "Urine tests at extreme risk: {n}`dcs_extreme_urine_year` a year.\n", encoding="utf-8")
    toc = root / "_toc.yml"
    entry = "      - file: book/ledger\n"
    text = toc.read_text(encoding="utf-8")
    assert entry in text, "the Appendices part of _toc.yml no longer lists book/ledger"
    toc.write_text(text.replace(entry, entry + "      - file: notebooks/other\n      - file: book/glue-probe\n"),
                   encoding="utf-8")


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A fresh copy of the project, built once."""
    root = tmp_path_factory.mktemp("rebuild") / "project"
    copy_project(ROOT, root)
    add_pages(root)
    first = build(root)
    assert first.returncode == 0, first.stdout + first.stderr
    return SimpleNamespace(root=root, first=first.stdout)


def test_fresh_copy_executes_only_the_new_notebook(project):
    """The committed notebooks carry their run records: a clone runs nothing it need not."""
    assert executing(project.first) == {"notebooks/other.ipynb"}, project.first
    assert "up to date: notebooks/dcs.ipynb" in project.first
    assert (project.root / "_build" / "html" / "notebooks" / "other.html").exists()


def test_noop_rebuild_does_nothing(project):
    root = project.root
    before = snapshot(root, *OUTPUTS, "_build/html/**/*.html")
    result = build(root)
    assert result.returncode == 0, result.stderr
    assert "book up to date" in result.stdout and not executing(result.stdout)
    assert snapshot(root, *OUTPUTS, "_build/html/**/*.html") == before


def recorded_readers(root, table):
    """Notebooks whose committed run record says they read the table."""
    return {f"notebooks/{p.name}" for p in (root / "notebooks").glob("*.ipynb")
            if table in json.loads(p.read_text(encoding="utf-8"))["metadata"].get("compendium", {}).get("reads", {})}


def pages_that_depend_on(root, changed):
    """The pages the dependency rules say Sphinx must re-read when these derived files changed:
    a page reads its glue table (front matter, or topic:key), the judgements of each claim whose
    verdict it shows, the ledger page the ledger and the ledger's glue, the status page the
    execution times (always, after an execution)."""
    topic_of = {}
    with open(root / "data" / "raw" / "claims.csv", encoding="utf-8", newline="") as f:
        topic_of = {row["claim_id"]: row["topic"] for row in csv.DictReader(f)}
    pages = {"book/colophon"}
    for page in (root / "book").glob("*.md"):
        text = page.read_text(encoding="utf-8")
        front = re.match(r"\A---\n(.*?)\n---\n", text, re.S)
        topics = set(re.findall(r"^glue:\s*(\S+)", front.group(1), re.M)) if front else set()
        topics |= set(re.findall(r"\{n\}`([a-z0-9_]+):", text))
        needs = {f"data/derived/glue-{t}.csv" for t in topics}
        needs |= {f"data/derived/judgements-{topic_of[c]}.csv" for c in re.findall(r"\{verdict\}`([^`]+)`", text)}
        if "{claims-ledger}" in text:
            needs.add("data/derived/ledger.csv")
        if needs & changed:
            pages.add(f"book/{page.stem}")
    return pages


def test_table_edit_reexecutes_exactly_its_readers_and_rereads_exactly_their_pages(project):
    root = project.root
    readers = recorded_readers(root, TABLE)
    assert "notebooks/dcs.ipynb" in readers and "notebooks/other.ipynb" not in readers, readers
    derived = snapshot(root, "data/derived/*")
    before = glued(root, "book/glue-probe.html", "Urine tests at extreme risk:")
    set_cell(root / TABLE, "schedule_id", "table1-extreme-urine", "every", "1")  # every 2 weeks -> every week
    result = build(root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert executing(result.stdout) == readers, result.stdout
    assert "up to date: notebooks/other.ipynb" in result.stdout
    changed = {name for name, content in snapshot(root, "data/derived/*").items() if derived.get(name) != content}
    # Pages that offer the table for download: by name, or all tables (the data page's directive).
    offering = {f"book/{p.stem}" for p in (root / "book").glob("*.md")
                if Path(TABLE).name in (text := p.read_text(encoding="utf-8")) or "{datapackage-tables}" in text}
    expected = {r.removesuffix(".ipynb") for r in readers} | pages_that_depend_on(root, changed) | offering
    assert "book/glue-probe" in expected and "book/other" not in expected
    assert reread(root) == expected, changed
    after = glued(root, "book/glue-probe.html", "Urine tests at extreme risk:")
    assert after != before and after == glued(root, "book/dcs.html", "and urine tests")


def test_touched_files_rebuild_nothing(project):
    """Newer modification times, same content: nothing runs (Sphinx, which goes by mtime,
    would re-read the touched pages; so this runs after the test of what it re-reads)."""
    root = project.root
    now = time.time()
    for path in [p for p in (root / "data").rglob("*") if p.is_file()] + list((root / "notebooks").rglob("*")):
        os.utime(path, (now, now))  # newer, same content
    result = build(root)
    assert "book up to date" in result.stdout and not executing(result.stdout), result.stdout


def test_page_with_the_short_role_but_no_glue_table_fails_naming_page_line_and_key(project):
    root = project.root
    page = root / "book" / "glue-probe.md"
    original = page.read_text(encoding="utf-8")
    try:
        page.write_text(original.replace("---\nglue: dcs\n---\n\n", ""), encoding="utf-8")
        result = build(root)
        assert result.returncode != 0
        assert re.search(r"glue-probe\.md:\d+: .*dcs_extreme_urine_year.*names no glue table", result.stdout + result.stderr)
        page.write_text(original.replace("dcs_extreme_urine_year", "dcs_no_such_key"), encoding="utf-8")
        result = build(root)
        assert result.returncode != 0
        output = result.stdout + result.stderr
        assert re.search(r"glue-probe\.md:\d+: .*'dcs_no_such_key' is not in data/derived/glue-dcs\.csv", output), output
    finally:
        page.write_text(original, encoding="utf-8")
    assert build(root).returncode == 0


def test_register_claim_that_no_notebook_judges_fails_the_build(project):
    root = project.root
    claims = root / "data" / "raw" / "claims.csv"
    original = claims.read_bytes()
    ledger = snapshot(root, "data/derived/ledger.csv")
    row = '\nnew-claim,lin2022,nosuchtopic,Introduction,a quote long enough,2,2,years,1,,unverifiable'
    claims.write_bytes(original.rstrip(b"\n") + row.encode() + b"\n")
    try:
        result = build(root)
    finally:
        claims.write_bytes(original)
    assert result.returncode != 0
    assert "data/raw/claims.csv, row " in result.stderr and "column 'claim_id'" in result.stderr
    assert "no notebook judges new-claim (expected in data/derived/judgements-nosuchtopic.csv)" in result.stderr
    assert snapshot(root, "data/derived/ledger.csv") == ledger
    assert build(root).returncode == 0  # the register restored: the next test starts from a clean build


def test_notebook_failing_after_it_saved_a_figure_changes_nothing(project):
    root = project.root
    text = root / "notebooks" / "md" / "dcs.md"
    original = text.read_text(encoding="utf-8")
    kept = snapshot(root, *OUTPUTS)
    # The first figure's title changes (so its PNG would change), then the notebook fails at its end.
    broken = original.replace("At extreme risk, a person is counselled", "A changed title: a person is counselled")
    assert broken != original
    broken += "\n```{code-cell} ipython3\nraise RuntimeError(\"broken on purpose by test_rebuild\")\n```\n"
    text.write_text(broken, encoding="utf-8")
    try:
        result = build(root)
    finally:
        text.write_text(original, encoding="utf-8")
    assert result.returncode != 0
    assert executing(result.stdout) == {"notebooks/dcs.ipynb"}
    assert "error: notebooks/dcs.ipynb failed; nothing it wrote was kept" in result.stderr
    assert "broken on purpose by test_rebuild" in result.stderr
    assert snapshot(root, *OUTPUTS) == kept


def test_bad_table_value_fails_the_build_before_any_notebook(project):
    root = project.root
    claims = root / "data" / "raw" / "claims.csv"
    original = claims.read_bytes()
    kept = snapshot(root, *OUTPUTS)
    set_cell(claims, "claim_id", "dcs-registry-2007", "value", "1,2,3")
    try:
        result = build(root)
    finally:
        claims.write_bytes(original)
    assert result.returncode != 0
    assert re.search(r"data/raw/claims\.csv, row \d+ \(line \d+\), column 'value'", result.stderr), result.stderr
    assert not executing(result.stdout)
    assert snapshot(root, *OUTPUTS) == kept
