"""The claims ledger: one judged row per register claim.

A topic notebook creates a Judgements for its topic, calls ``judge`` once per
claim of the register with the checks it ran, ``glue`` for every number its
chapter prints, and ends with ``save``, which refuses to write unless every
claim of the topic was judged. The build then joins the per-topic files into
data/derived/ledger.csv with ``assemble_ledger`` (no kernel needed).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pandas as pd

from . import checks as ck
from . import relative_to_root
from .data import csv_bytes, derived_dir, load_table, write_derived, write_if_changed
from .schema import TableError

# The ledger contract (DESIGN.md): keep these names and this order.
LEDGER_COLUMNS = ["claim_id", "source", "locator", "quote", "stated", "value", "unit",
                  "verdict", "recomputed", "method", "note", "notebook"]
# Columns after the contract's: what would settle an unverifiable claim, and a fingerprint of
# the source of the notebook cell that judged the claim (the book links each entry to that cell).
JUDGEMENT_COLUMNS = LEDGER_COLUMNS + ["would_settle", "cell"]
GLUE_KEY = re.compile(r"[a-z][a-z0-9_]*")


def number_text(x) -> str:
    """A number as plain CSV text: integers without '.0', others to 6 significant digits."""
    if x is None or pd.isna(x):
        return ""
    x = float(x)
    return str(int(x)) if x.is_integer() else f"{x:.6g}"


def cell_fingerprint(source: str) -> str:
    """The first 12 hex digits of the SHA-256 of a notebook cell's source, stripped."""
    return hashlib.sha256(source.strip().encode("utf-8")).hexdigest()[:12]


def executing_cell() -> str:
    """The fingerprint of the notebook cell running now, or '' outside a kernel.

    A fingerprint of the source, not the execution count: counts differ between
    the build's run and nbval's, the source does not.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return ""
    kernel = getattr(get_ipython(), "kernel", None)
    if kernel is None:
        return ""
    # The execute request being answered carries the cell's source, however the client ran it
    # (nbval runs cells without storing them in IPython's history).
    return cell_fingerprint(kernel.get_parent("shell").get("content", {}).get("code", ""))


def verdict_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Claims per verdict of a ledger-shaped table, in the fixed verdict order."""
    counts = table["verdict"].value_counts()
    return pd.DataFrame({"verdict": ck.VERDICTS, "claims": [int(counts.get(v, 0)) for v in ck.VERDICTS]})


def verdict_counts(table: pd.DataFrame) -> dict[str, int]:
    """{'n_claims': ..., 'n_reproduced': ..., ...}: the counts every chapter glues."""
    summary = verdict_summary(table)
    return {"n_claims": len(table), **{f"n_{v}": int(n) for v, n in zip(summary["verdict"], summary["claims"])}}


def glue_table(values: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({"key": list(values), "value": list(values.values())})


class Judgements:
    """The verdicts, and the numbers the chapter prints, of one topic notebook."""

    def __init__(self, topic: str):
        self.topic = topic
        claims = load_table("claims")
        self.register = claims[claims["topic"] == topic].set_index("claim_id", drop=False)
        self.rows: dict[str, dict] = {}
        self.glued: dict[str, str] = {}

    def claim(self, claim_id: str) -> pd.Series:
        """The register row of a claim of this topic."""
        if claim_id not in self.register.index:
            raise KeyError(f"{claim_id!r} is not a claim of topic {self.topic!r} in data/raw/claims.csv")
        return self.register.loc[claim_id]

    def judge(self, claim_id: str, *checks: ck.Check, note: str = "", would_settle: str = "",
              recomputed=None) -> str:
        """Record the verdict of a claim from its checks; return the verdict.

        ``recomputed`` defaults to the value of the first recompute or
        cross-source check. An unverifiable claim needs ``would_settle``: the
        published table, count or document that would settle it.
        """
        row = self.claim(claim_id)
        if claim_id in self.rows:
            raise ValueError(f"{claim_id!r} was judged twice")
        verdict = ck.verdict(checks)
        if verdict == "unverifiable" and not would_settle.strip():
            raise ValueError(f"{claim_id!r} is unverifiable: say what would settle it (would_settle=...)")
        if recomputed is None:
            recomputed = next((c.recomputed for c in checks if c.recomputed is not None), None)
        self.rows[claim_id] = {
            "claim_id": claim_id, "source": row["source"], "locator": row["locator"],
            "quote": row["quote"], "stated": row["stated"], "value": number_text(row["value"]),
            "unit": row["unit"], "verdict": verdict, "recomputed": number_text(recomputed),
            "method": "; ".join(c.describe() for c in checks), "note": note,
            "notebook": f"notebooks/{self.topic}.ipynb", "would_settle": would_settle,
            "cell": executing_cell(),
        }
        return verdict

    def glue(self, key: str, value) -> None:
        """A number (an int, or a string formatted with compendium.fmt) for the chapter's prose.

        It is glued for myst_nb and kept for data/derived/glue-<topic>.csv, which
        the chapter's short role {n}`key` reads.
        """
        from myst_nb import glue

        if not GLUE_KEY.fullmatch(key):
            raise ValueError(f"glue key {key!r}: use lower-case letters, digits and _")
        if key in self.glued:
            raise ValueError(f"glue key {key!r} was glued twice")
        if isinstance(value, float):
            raise TypeError(f"glue key {key!r}: format the float {value!r} with compendium.fmt first")
        glue(key, value, display=False)
        self.glued[key] = str(value)

    def show(self, *claim_ids: str) -> pd.DataFrame:
        """The judged rows of these claims, for display in the notebook."""
        table = self.table().set_index("claim_id")
        return table.loc[list(claim_ids), ["stated", "recomputed", "verdict"]]

    def table(self) -> pd.DataFrame:
        """The judged rows in register order."""
        order = [c for c in self.register.index if c in self.rows]
        return pd.DataFrame([self.rows[c] for c in order], columns=JUDGEMENT_COLUMNS)

    def summary(self) -> pd.DataFrame:
        """Claims per verdict, in the fixed verdict order."""
        return verdict_summary(self.table())

    def save(self) -> str:
        """Write judgements-<topic>.csv and glue-<topic>.csv once every claim is judged.

        The verdict counts are glued too (n_claims, n_reproduced, ...).
        """
        missing = [c for c in self.register.index if c not in self.rows]
        if missing:
            raise ValueError(f"claims of topic {self.topic!r} not judged: {', '.join(missing)}")
        for key, n in verdict_counts(self.table()).items():
            self.glue(key, n)
        return "\n".join([write_derived(self.table(), f"judgements-{self.topic}"),
                          write_derived(glue_table(self.glued), f"glue-{self.topic}")])


def read_judgements(path: Path, register: pd.DataFrame) -> pd.DataFrame:
    """A judgements file, checked against the register; TableError names file, row and column."""
    name = relative_to_root(path)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    if list(frame.columns) != JUDGEMENT_COLUMNS:
        raise TableError(name, None, None, f"columns: expected {', '.join(JUDGEMENT_COLUMNS)}")
    topic = path.stem.removeprefix("judgements-")
    topics = register.set_index("claim_id")["topic"]
    for row, item in enumerate(frame.itertuples(), start=1):
        if item.claim_id not in topics.index:
            raise TableError(name, row, "claim_id", f"unknown claim id {item.claim_id!r}: not in data/raw/claims.csv")
        if topics[item.claim_id] != topic:
            raise TableError(name, row, "claim_id", f"{item.claim_id!r} is a claim of topic "
                             f"{topics[item.claim_id]!r}, not {topic!r}")
        if item.verdict not in ck.VERDICTS:
            raise TableError(name, row, "verdict", f"expected one of {', '.join(ck.VERDICTS)}; got {item.verdict!r}")
        if item.verdict == "unverifiable" and not item.would_settle.strip():
            raise TableError(name, row, "would_settle", "an unverifiable claim must say what would settle it")
    return frame


def assemble_ledger(folder: Path | None = None) -> list[str]:
    """Join every judgements-<topic>.csv into ledger.csv and glue-ledger.csv; return what was written.

    Every register claim must be judged exactly once. Files are replaced
    atomically and only if their bytes change, so a failure leaves the old
    ledger whole.
    """
    folder = Path(folder or derived_dir())
    register = load_table("claims")
    parts = [read_judgements(p, register) for p in sorted(folder.glob("judgements-*.csv"))]
    ledger = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=JUDGEMENT_COLUMNS)
    seen = ledger["claim_id"]
    twice = sorted(set(seen[seen.duplicated()]))
    if twice:
        raise TableError(relative_to_root(folder), None, "claim_id", f"judged in more than one file: {', '.join(twice)}")
    missing = register[~register["claim_id"].isin(seen)]
    if len(missing):
        first = missing.index[0] + 1
        raise TableError("data/raw/claims.csv", int(first), "claim_id",
                         f"no notebook judges {', '.join(missing['claim_id'])} "
                         f"(expected in data/derived/judgements-{missing['topic'].iloc[0]}.csv)")
    order = {c: i for i, c in enumerate(register["claim_id"])}
    ledger = ledger.sort_values("claim_id", key=lambda s: s.map(order), kind="stable")
    written = []
    for frame, name in [(ledger, "ledger"), (glue_table({k: str(v) for k, v in verdict_counts(ledger).items()}), "glue-ledger")]:
        write_if_changed(folder / f"{name}.csv", csv_bytes(frame))
        written.append(f"{name}.csv")
    return written
