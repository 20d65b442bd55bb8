"""What the build regenerated must equal what is committed.

`make test` builds the book first, re-executing every notebook whose inputs
changed (all of them in a fresh clone) and writing the results back. nbval then
compares fresh runs with those files, so a changed number would pass it
unnoticed; this test compares them with the last commit instead. It fails until
the changed outputs, and the register if a verdict moved, are committed.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GENERATED = ["notebooks", "data/derived", "book/figures"]


def git(*args):
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)


def test_generated_files_match_the_last_commit():
    if shutil.which("git") is None or git("rev-parse", "HEAD").returncode != 0:
        pytest.skip("not a git checkout with commits: cannot compare with the committed outputs")
    status = git("status", "--porcelain", "--untracked-files=all", "--", *GENERATED).stdout.strip()
    assert not status, (
        "these generated files differ from the last commit (the recomputation changed something):\n"
        f"{status}\nReview `git diff`, update data/raw/claims.csv if a verdict changed, and commit them."
    )
