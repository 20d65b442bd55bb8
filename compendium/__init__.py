"""The compendium's domain: what notebooks import.

- ``schema``: validation of the tables under data/ (TableError names file, row, column)
- ``data``: loading validated tables, writing derived tables
- ``checks``: the checks, their power, and the verdict they add up to
- ``ledger``: a topic's judgements and glued numbers; the assembled ledger
- ``numbers``: the number a printed value states; calendar periods
- ``fmt``, ``plots``: number formats and figures
- ``inventory``, ``quotes``, ``completeness``: every number of a publication accounted for
- ``glossary``: Chinese terms and where the sources disagree about them
- ``hashing``: content hashes

The book machinery (build, executor, Sphinx extension, watch, bench) is in
``compendium.book``; nothing here imports it.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def relative_to_root(path) -> str:
    """A path as the project names it (relative to the checkout), or in full if outside it."""
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(ROOT).as_posix()
    except ValueError:
        return str(resolved)
