"""Shared code of the compendium: loading and validation (data), checks and
verdicts (checks), the claims ledger (ledger), number formatting (fmt) and
figures (plots). Build tooling lives in execute and sphinx_ext."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
