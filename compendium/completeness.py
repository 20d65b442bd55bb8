"""Completeness: every quantity in a publication is a claim or an exclusion.

The numeral inventory (compendium.inventory) lists every quantity-bearing token
of a publication's text. A token is covered by a claim when it lies inside the
quote of a register row from that publication, excluded when it lies inside a
fragment of data/raw/exclusions.csv, and open otherwise. The texts live in
../shared/sources (not redistributed); where they are absent, coverage cannot
be computed and the committed data/derived/coverage.csv stands.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pandas as pd

from . import ROOT
from .data import derived_dir, load_table, write_derived
from .inventory import context, quantity_tokens
from .quotes import find_all, heading_exists, nearest_mismatch
from .schema import TableError

REASONS = ["date", "footnote or reference marker", "reference list", "article or section number",
           "list numbering", "proper name", "repeats a registered claim", "not a quantity"]


def sources_dir() -> Path:
    """Where the publications' plain texts are: ../shared/sources beside the checkout."""
    return Path(os.environ.get("COMPENDIUM_SOURCES_DIR", ROOT.parent / "shared" / "sources"))


def texts_available() -> bool:
    return sources_dir().is_dir()


def publication_text(key: str) -> str:
    sources = load_table("sources").set_index("key")
    return (sources_dir() / sources.loc[key, "text"]).read_text(encoding="utf-8")


def _spans(text: str, pieces: pd.DataFrame, column: str, table: str) -> list[tuple[int, int, int]]:
    """(start, end, row) of every occurrence of each row's piece of text; a piece not found raises."""
    spans = []
    for row, piece in pieces[column].items():
        found = find_all(piece, text)
        if not found:
            raise TableError(table, int(row) + 1, column, f"not found in the publication's text: {nearest_mismatch(piece, text)}")
        spans += [(m.start, m.end, int(row)) for m in found]
    return spans


def coverage(key: str) -> pd.DataFrame:
    """Every token of a publication's text with its status: claim (and which), excluded (and why) or open.

    Raises TableError for a register quote or an exclusion fragment that is not
    in the text, a locator naming no heading of the text, and an exclusion that
    lies inside a register quote (counted twice).
    """
    text = publication_text(key)
    claims = load_table("claims")
    claims = claims[claims["source"] == key]
    exclusions = load_table("exclusions")
    exclusions = exclusions[exclusions["source"] == key]
    quotes = _spans(text, claims, "quote", "data/raw/claims.csv")
    fragments = _spans(text, exclusions, "fragment", "data/raw/exclusions.csv")
    for row, locator in claims["locator"].items():
        if not heading_exists(locator, text):
            raise TableError("data/raw/claims.csv", int(row) + 1, "locator", f"no heading {locator!r} in the publication's text")
    for start, end, row in fragments:
        inside = [r for s, e, r in quotes if s <= start and end <= e]
        if inside:
            raise TableError("data/raw/exclusions.csv", row + 1, "fragment",
                             f"lies inside the quote of {claims.loc[inside[0], 'claim_id']}: a token is either a claim "
                             "or an exclusion, not both")
    rows = []
    for token in quantity_tokens(text):
        end = token.offset + len(token.text)
        claim = next((r for s, e, r in quotes if s <= token.offset and end <= e), None)
        excluded = next((r for s, e, r in fragments if s <= token.offset and end <= e), None)
        status, by = ("claim", claims.loc[claim, "claim_id"]) if claim is not None else \
            ("excluded", exclusions.loc[excluded, "reason"]) if excluded is not None else ("open", "")
        rows.append({"source": key, "line": token.line, "column": token.column, "token": token.text,
                     "kind": token.kind, "status": status, "by": by, "context": " ".join(context(text, token).split())})
    return pd.DataFrame(rows, columns=["source", "line", "column", "token", "kind", "status", "by", "context"])


def coverage_summary() -> pd.DataFrame:
    """Per publication: tokens, covered by claims, excluded (and by reason), open, and the complete flag."""
    sources = load_table("sources")
    rows = []
    for key, complete in sources.loc[sources["role"] == "publication", ["key", "complete"]].itertuples(index=False):
        table = coverage(key)
        counts = Counter(table["status"])
        reasons = Counter(table.loc[table["status"] == "excluded", "by"])
        rows.append({"source": key, "tokens": len(table), "claims": counts["claim"], "excluded": counts["excluded"],
                     "open": counts["open"], "complete": bool(complete),
                     **{f"excluded: {r}": reasons[r] for r in REASONS}})
    return pd.DataFrame(rows)


def write_coverage() -> str:
    """data/derived/coverage.csv and glue-coverage.csv (keys <source>_<column>), from the texts."""
    summary = coverage_summary()
    glue = [(f"{row.source}_{name}", str(getattr(row, name))) for row in summary.itertuples()
            for name in ("tokens", "claims", "excluded", "open")]
    lines = [write_derived(summary, "coverage"),
             write_derived(pd.DataFrame(glue, columns=["key", "value"]), "glue-coverage")]
    return "\n".join(lines)


def committed_coverage() -> pd.DataFrame:
    return pd.read_csv(derived_dir() / "coverage.csv", dtype=str, keep_default_na=False)
