"""The glossary of Chinese terms, and where the sources disagree about them.

A term is inconsistent when one source, or two sources, pair the same
characters with different English, or when one English phrase is paired with
different terms.
"""

from __future__ import annotations

import re

import pandas as pd

from .data import load_table


def occurrences() -> pd.DataFrame:
    """Every printed occurrence, with its term's characters and the compendium's English."""
    terms = load_table("glossary").set_index("term_id")
    found = load_table("glossary_occurrences")
    return found.join(terms[["characters", "english"]], on="term_id")


def inconsistencies() -> pd.DataFrame:
    """(kind, subject, pairing, where) rows: one per differing pairing, with its locators."""
    found = occurrences()
    paired = found[found["paired_english"].str.strip() != ""].copy()
    # Compare wording, not case, punctuation or a bracketed abbreviation ("(CIT)").
    paired["english_key"] = (paired["paired_english"].str.replace(r"\s*\([^)]*\)", "", regex=True)
                             .str.lower().str.strip(" .,;:"))
    rows = []
    for term_id, group in paired.groupby("term_id", sort=False):
        if group["english_key"].nunique() > 1:
            for english, where in group.groupby("english_key", sort=False):
                rows.append({"kind": "one term, several English renderings", "subject": term_id,
                             "pairing": where["paired_english"].iloc[0], "where": _where(where)})
    for english, group in paired.groupby("english_key", sort=False):
        if group["term_id"].nunique() > 1:
            for term_id, where in group.groupby("term_id", sort=False):
                rows.append({"kind": "one English rendering, several terms", "subject": english,
                             "pairing": term_id, "where": _where(where)})
    return pd.DataFrame(rows, columns=["kind", "subject", "pairing", "where"])


def _where(rows: pd.DataFrame) -> str:
    return "; ".join(f"{r.source}, {r.locator} (line {r.line})" for r in rows.itertuples())


def characters_not_printed(texts: list[str]) -> list[tuple[int, str]]:
    """(row, characters) of glossary entries whose characters none of the texts prints."""
    flat = re.sub(r"\s+", "", "".join(texts))
    terms = load_table("glossary")
    return [(i + 1, chars) for i, chars in enumerate(terms["characters"]) if chars and chars not in flat]
