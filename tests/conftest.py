"""Shared test set-up.

Notebooks re-executed by nbval write their derived tables and figures into a
temporary folder, never over the committed files.
"""

import os
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def pytest_configure(config):
    scratch = Path(tempfile.mkdtemp(prefix="compendium-test-"))
    os.environ["COMPENDIUM_DERIVED_DIR"] = str(scratch / "derived")
    os.environ["COMPENDIUM_FIGURES_DIR"] = str(scratch / "figures")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))


@pytest.fixture(scope="session")
def built_html():
    """The HTML book that `make test` builds before running the tests."""
    html = ROOT / "_build" / "html"
    if not (html / "index.html").exists():
        pytest.fail("no built book at _build/html: run `make test` (it builds the book first)")
    return html
