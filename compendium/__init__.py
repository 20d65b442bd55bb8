"""Shared code of the compendium: validation (schema), loading (data), checks
and verdicts (checks), the claims ledger (ledger), number formatting (fmt) and
figures (plots), content hashes (hashing). Build tooling: build, execute,
sphinx_ext and bench."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
