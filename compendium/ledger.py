"""The claims ledger: one judged row per register claim.

A topic notebook creates a Judgements for its topic, calls ``judge`` once per
claim of the register with the checks it ran, and ends with ``save``, which
refuses to write unless every claim of the topic was judged. The ledger
notebook joins the per-topic files into data/derived/ledger.csv.
"""

from __future__ import annotations

import pandas as pd

from . import checks as ck
from .data import load_table, write_derived

# The ledger contract (DESIGN.md): keep these names and this order.
LEDGER_COLUMNS = ["claim_id", "source", "locator", "quote", "stated", "value", "unit",
                  "verdict", "recomputed", "method", "note", "notebook"]


def number_text(x) -> str:
    """A number as plain CSV text: integers without '.0', others to 6 significant digits."""
    if x is None or pd.isna(x):
        return ""
    x = float(x)
    return str(int(x)) if x.is_integer() else f"{x:.6g}"


def verdict_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Claims per verdict of a ledger-shaped table, in the fixed verdict order."""
    counts = table["verdict"].value_counts()
    return pd.DataFrame({"verdict": ck.VERDICTS, "claims": [int(counts.get(v, 0)) for v in ck.VERDICTS]})


class Judgements:
    """The verdicts of one topic notebook."""

    def __init__(self, topic: str):
        self.topic = topic
        claims = load_table("claims")
        self.register = claims[claims["topic"] == topic].set_index("claim_id", drop=False)
        self.rows: dict[str, dict] = {}

    def claim(self, claim_id: str) -> pd.Series:
        """The register row of a claim of this topic."""
        if claim_id not in self.register.index:
            raise KeyError(f"{claim_id!r} is not a claim of topic {self.topic!r} in data/raw/claims.csv")
        return self.register.loc[claim_id]

    def judge(self, claim_id: str, *checks: ck.Check, note: str = "", recomputed=None) -> str:
        """Record the verdict of a claim from its checks; return the verdict.

        ``recomputed`` defaults to the value of the first recompute or
        cross-source check. An unverifiable claim gets no checks and a note
        saying what input would be needed.
        """
        row = self.claim(claim_id)
        if claim_id in self.rows:
            raise ValueError(f"{claim_id!r} was judged twice")
        verdict = ck.verdict(checks)
        if verdict == "unverifiable" and not note:
            raise ValueError(f"{claim_id!r}: an unverifiable claim needs a note saying what would be needed")
        if recomputed is None:
            recomputed = next((c.recomputed for c in checks if c.recomputed is not None), None)
        self.rows[claim_id] = {
            "claim_id": claim_id, "source": row["source"], "locator": row["locator"],
            "quote": row["quote"], "stated": row["stated"], "value": number_text(row["value"]),
            "unit": row["unit"], "verdict": verdict, "recomputed": number_text(recomputed),
            "method": "; ".join(c.describe() for c in checks), "note": note,
            "notebook": f"notebooks/{self.topic}.ipynb",
        }
        return verdict

    def show(self, *claim_ids: str) -> pd.DataFrame:
        """The judged rows of these claims, for display in the notebook."""
        table = self.table().set_index("claim_id")
        return table.loc[list(claim_ids), ["stated", "recomputed", "verdict"]]

    def table(self) -> pd.DataFrame:
        """The judged rows in register order."""
        order = [c for c in self.register.index if c in self.rows]
        return pd.DataFrame([self.rows[c] for c in order], columns=LEDGER_COLUMNS)

    def summary(self) -> pd.DataFrame:
        """Claims per verdict, in the fixed verdict order."""
        return verdict_summary(self.table())

    def save(self) -> str:
        """Write data/derived/judgements-<topic>.csv once every claim is judged."""
        missing = [c for c in self.register.index if c not in self.rows]
        if missing:
            raise ValueError(f"claims of topic {self.topic!r} not judged: {', '.join(missing)}")
        return write_derived(self.table(), f"judgements-{self.topic}")
