"""`make book`: sync, execute what changed, assemble the ledger, build the HTML strictly.

1. Validate the tables, then execute the stale notebooks, from their MyST text
   notebooks in notebooks/md/ (compendium.book.execute).
2. Assemble data/derived/ledger.csv from the judgements (compendium.ledger),
   and, where the publications' texts are beside the checkout, recompute their
   coverage by claims and exclusions (compendium.completeness).
3. Build the HTML with Sphinx.

When no input of the book changed since the last successful build, judged by
the content hash of every input (tables, notebooks, pages, package, pins),
there is nothing to do and none of the steps runs: a no-op costs one hash.

Usage: python -m compendium.book.build [--jobs N] [--force] [--no-sphinx]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from .. import ROOT
from ..hashing import files_hash

HTML = ROOT / "_build" / "html"
STAMP = ROOT / "_build" / "book-inputs.sha256"
INPUTS = ["_config.yml", "_toc.yml", "CITATION.cff", "requirements.txt", "requirements.in",
          "book", "notebooks", "data", "compendium", ".git/logs/HEAD"]
SPHINX = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT),
          "--builder", "html", "-W", "--keep-going", "--quiet"]


def inputs_hash() -> str:
    """Hash of every file the HTML book is built from (paths and bytes)."""
    files = []
    for name in INPUTS:
        top = ROOT / name
        files += sorted(p for p in top.rglob("*") if p.is_file()) if top.is_dir() else [top]
    return files_hash([p for p in files if "__pycache__" not in p.parts], ROOT)


def up_to_date(digest: str) -> bool:
    return (HTML / "index.html").exists() and STAMP.exists() and STAMP.read_text() == digest


COVERAGE_STAMP = ROOT / "_build" / "coverage-inputs.sha256"


def coverage_inputs_hash(sources: Path) -> str:
    """Hash of what the coverage of the publications depends on: tables, texts and the code reading them."""
    raw = ROOT / "data" / "raw"
    files = [raw / "claims.csv", raw / "exclusions.csv", raw / "sources.csv", ROOT / "data" / "datapackage.json"]
    files += sorted(sources.glob("*.txt")) + [ROOT / "compendium" / f"{m}.py" for m in ("inventory", "quotes", "completeness")]
    return files_hash(files, ROOT)


def update_coverage() -> None:
    """Recompute data/derived/coverage.csv when the texts are here and one of its inputs changed
    (it takes over a second, more than the rest of a one-table rebuild's overhead)."""
    from ..completeness import sources_dir, texts_available, write_coverage

    if not texts_available():
        print(f"{sources_dir()} is absent: coverage not recomputed (data/derived/coverage.csv stands)")
        return
    digest = coverage_inputs_hash(sources_dir())
    if COVERAGE_STAMP.exists() and COVERAGE_STAMP.read_text() == digest and (ROOT / "data" / "derived" / "coverage.csv").exists():
        return
    write_coverage()
    COVERAGE_STAMP.parent.mkdir(parents=True, exist_ok=True)
    COVERAGE_STAMP.write_text(digest)


def prepare(jobs: int, force: bool = False) -> int:
    """Steps 1–2: everything but Sphinx. Returns an exit status."""
    # Imported here, not at the top: a no-op build needs none of them (pandas, nbformat).
    from ..ledger import assemble_ledger
    from ..schema import TableError
    from . import execute

    if execute.run(execute.notebook_paths(), jobs, force) != 0:
        return 1
    try:
        assemble_ledger()
        update_coverage()
    except TableError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


def build_html() -> int:
    STAMP.unlink(missing_ok=True)  # a failed build must not look up to date
    if subprocess.run(SPHINX, cwd=ROOT).returncode != 0:
        return 1
    STAMP.parent.mkdir(parents=True, exist_ok=True)
    STAMP.write_text(inputs_hash())
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel kernels (default: cores)")
    parser.add_argument("--force", action="store_true", help="execute every notebook, current or not")
    parser.add_argument("--no-sphinx", action="store_true", help="stop before Sphinx")
    args = parser.parse_args(argv)
    if up_to_date(inputs_hash()) and not args.force:
        print("book up to date: no input changed since the last build")
    elif prepare(args.jobs, args.force) != 0:
        return 1
    elif args.no_sphinx:
        return 0
    elif build_html() != 0:
        return 1
    print(f"Book: {HTML / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
