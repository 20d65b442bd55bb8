"""Shared code of the compendium: validation (schema), loading (data), checks
and verdicts (checks), the claims ledger (ledger), number formatting (fmt) and
figures (plots), content hashes (hashing). Build tooling: build, execute,
sphinx_ext and bench."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def relative_to_root(path) -> str:
    """A path as the project names it (relative to the checkout), or in full if outside it."""
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(ROOT).as_posix()
    except ValueError:
        return str(resolved)
