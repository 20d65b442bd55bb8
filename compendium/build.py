"""`make book`: execute what changed, then build the HTML book strictly, if anything changed.

Sphinx takes seconds even when nothing is out of date, so the build is skipped
when no input of the book changed since the last successful build, judged by
content: the hash of every source page, notebook, table, figure, the
configuration and the software pins.

Usage: python -m compendium.build [--jobs N]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
from pathlib import Path

from . import ROOT, execute

HTML = ROOT / "_build" / "html"
STAMP = ROOT / "_build" / "book-inputs.sha256"
INPUTS = ["_config.yml", "_toc.yml", "CITATION.cff", "requirements.txt", "requirements.in",
          "book", "notebooks", "data", "compendium", "_build/execution-state.json", ".git/logs/HEAD"]


def inputs_hash() -> str:
    """Hash of every file the HTML book is built from (paths and bytes)."""
    digest = hashlib.sha256()
    for name in INPUTS:
        top = ROOT / name
        files = sorted(p for p in top.rglob("*") if p.is_file()) if top.is_dir() else [top]
        for path in files:
            if "__pycache__" in path.parts or not path.exists():
                continue
            digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def build_html() -> int:
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    command = [str(jupyter_book), "build", str(ROOT), "--builder", "html", "-W", "--keep-going", "--quiet"]
    return subprocess.run(command, cwd=ROOT).returncode


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel kernels (default: cores)")
    args = parser.parse_args(argv)
    if execute.main(["--jobs", str(args.jobs)]) != 0:
        return 1
    current = inputs_hash()
    if (HTML / "index.html").exists() and STAMP.exists() and STAMP.read_text() == current:
        print("book up to date: no input changed since the last build")
    else:
        STAMP.unlink(missing_ok=True)  # a failed build must not look up to date
        if build_html() != 0:
            return 1
        STAMP.write_text(current)
    print(f"Book: {HTML / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
