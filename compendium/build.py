"""`make book`: execute what changed, then build the HTML book strictly, if anything changed.

Sphinx takes seconds even when nothing is out of date, so the build is skipped
when no input of the book changed since the last successful build, judged by
content: the hash of every source page, notebook, table, figure, the
configuration and the software pins.

In a fresh clone no notebook has been executed here yet, but the committed
outputs are usually current. Sphinx then builds from them while the notebooks
run; if execution changed any input of the book, Sphinx runs again
(incrementally) on the new files, so the result is the same as building after
execution, only sooner when nothing changed.

Usage: python -m compendium.build [--jobs N]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from . import ROOT, execute
from .hashing import files_hash

HTML = ROOT / "_build" / "html"
STAMP = ROOT / "_build" / "book-inputs.sha256"
INPUTS = ["_config.yml", "_toc.yml", "CITATION.cff", "requirements.txt", "requirements.in",
          "book", "notebooks", "data", "compendium", ".git/logs/HEAD"]
COMMAND = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT),
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


class EarlySphinx:
    """Sphinx started on the committed outputs while a fresh clone's notebooks run."""

    def __init__(self):
        self.process = None

    def __call__(self, stale: dict) -> None:
        digest = inputs_hash()
        if all(reason == execute.NEVER for reason in stale.values()) and not up_to_date(digest):
            self.digest, self.log = digest, tempfile.TemporaryFile()
            self.process = subprocess.Popen(COMMAND, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)

    def result(self) -> tuple[str, int, str] | None:
        """(inputs hash it started from, exit status, output), or None if it was not started."""
        if self.process is None:
            return None
        status = self.process.wait()
        self.log.seek(0)
        return self.digest, status, self.log.read().decode("utf-8", "replace")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel kernels (default: cores)")
    args = parser.parse_args(argv)
    early = EarlySphinx()
    executed = execute.main(["--jobs", str(args.jobs)], before_executing=early)
    started = early.result()
    if executed != 0:
        return 1
    current = inputs_hash()
    if started and started[0] == current:
        if started[1] != 0:
            sys.stderr.write(started[2])  # built from exactly the current inputs, and failed
            return 1
        print("book built while the notebooks ran (execution changed none of its inputs)")
    elif up_to_date(current):
        print("book up to date: no input changed since the last build")
    else:
        STAMP.unlink(missing_ok=True)  # a failed build must not look up to date
        if subprocess.run(COMMAND, cwd=ROOT).returncode != 0:
            return 1
    STAMP.parent.mkdir(parents=True, exist_ok=True)
    STAMP.write_text(current)
    print(f"Book: {HTML / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
