"""Sphinx extension of the compendium: roles and directives that read the data.

Roles (in MyST, ``{name}`text```):
- ``n``: a number a notebook glued, by key alone. The page names its glue table
  once in its front matter (``glue: dcs`` reads data/derived/glue-dcs.csv);
  ``topic:key`` reads another topic's table. A missing key fails the build
  naming the page, line and key.
- ``claim``: a link to a claim's entry in the ledger (an unknown id fails).
- ``verdict``: a claim's verdict as a badge, linked to its ledger entry, read
  from the claim's data/derived/judgements-<topic>.csv.

Directives:
- ``claims-ledger``: every claim of data/derived/ledger.csv, grouped by
  publication and chapter, with verdict counts and contents by chapter at the
  top, an anchor per claim, and a link to the notebook cell that judged it
  (notebook pages give that cell the anchor judge-<claim_id>); each claim is
  an object of the ``claim`` domain, so the search finds its id.
- ``glossary-terms``: the glossary of Chinese terms from data/raw/glossary*.csv,
  with a section on where the sources pair them with different English.
- ``coverage-table``: each publication's numbers, accounted for by claims and
  exclusions (data/derived/coverage.csv).
- ``sources-table``: data/raw/sources.csv as readers need it.
- ``how-to-cite``: a chapter's citation (text and BibTeX) from CITATION.cff.
- ``colophon``: the build date, the commit, and the Python and package versions.
- ``notebook-status``: each notebook's verdict counts and execution time.
- ``datapackage-tables``: each table's description, download link and schema.

Every role and directive notes the files it read as dependencies, so Sphinx
re-reads exactly the pages whose data changed. The pages Sphinx re-read in the
last build are listed in _build/reread.txt (tests and `make bench` use it).
"""

from __future__ import annotations

import csv
import difflib
import json
import platform
import re
import subprocess
from datetime import datetime, timezone
from functools import lru_cache
from hashlib import sha256
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import yaml
from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.domains import Domain, ObjType
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective

from .. import ROOT

DATA = ROOT / "data"
DERIVED = DATA / "derived"
CLAIMS = DATA / "raw" / "claims.csv"
CITATION = ROOT / "CITATION.cff"
LEDGER_PAGE = "book/ledger"
REREAD = ROOT / "_build" / "reread.txt"
FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)


@lru_cache(maxsize=64)
def _rows(path: Path, stamp: tuple) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def rows(path: Path) -> list[dict]:
    """A CSV's rows, cached until the file changes."""
    stat = path.stat()
    return _rows(path, (stat.st_mtime_ns, stat.st_size))


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


# -- which glue table a page reads -------------------------------------------

def note_front_matter(app, docname, source):
    """Remember the page's glue table (front matter ``glue: <topic>``) while it is read."""
    match = FRONT_MATTER.match(source[0])
    meta = yaml.safe_load(match.group(1)) if match else None
    topic = meta.get("glue") if isinstance(meta, dict) else None
    app.env.temp_data["glue_topic"] = topic


def fail(inliner, rawtext, lineno, message):
    error = inliner.reporter.error(message, line=lineno)
    return [inliner.problematic(rawtext, rawtext, error)], [error]


def number_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """{n}`key` or {n}`topic:key`: the value a notebook glued, as printed."""
    env = inliner.document.settings.env
    topic, _, key = text.rpartition(":")
    topic = topic or env.temp_data.get("glue_topic")
    if not topic:
        return fail(inliner, rawtext, lineno, f"{{n}}`{text}`: the page names no glue table; "
                    "add front matter 'glue: <topic>' (the notebook's name) or write {n}`topic:key`")
    path = DERIVED / f"glue-{topic}.csv"
    if not path.exists():
        return fail(inliner, rawtext, lineno, f"{{n}}`{text}`: no glue table {relative(path)} "
                    f"(does notebooks/{topic}.ipynb exist and call judged.save()?)")
    env.note_dependency(str(path))
    values = {row["key"]: row["value"] for row in rows(path)}
    if key not in values:
        near = difflib.get_close_matches(key, values, n=3)
        return fail(inliner, rawtext, lineno, f"{{n}}`{text}`: key {key!r} is not in {relative(path)}"
                    + (f" (did you mean {', '.join(near)}?)" if near else ""))
    return [nodes.inline(rawtext, values[key], classes=["glued"])], []


# -- claims --------------------------------------------------------------------

def claim_topics(env) -> dict[str, str]:
    env.note_dependency(str(CLAIMS))
    return {row["claim_id"]: row["topic"] for row in rows(CLAIMS)}


def page_reference(text: str, page: str, anchor: str = "", **attributes) -> nodes.reference:
    """A link to another page (and an anchor on it), resolved when the page is written:
    the address depends on the builder (a file for HTML, a label in the one LaTeX document)."""
    node = nodes.reference(text, text, internal=True, refuri="#", **attributes)
    node["compendium_page"], node["compendium_anchor"] = page, anchor
    return node


def resolve_page_references(app, doctree, docname):
    for node in doctree.findall(nodes.reference):
        if "compendium_page" in node:
            anchor = node["compendium_anchor"]
            node["refuri"] = app.builder.get_relative_uri(docname, node["compendium_page"]) + (f"#{anchor}" if anchor else "")


def badge(verdict: str) -> nodes.inline:
    return nodes.inline(verdict, verdict, classes=["verdict", f"verdict-{verdict}"])


def claim_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """{claim}`id`: a link to the claim's entry in the ledger; an unknown id fails the build."""
    env = inliner.document.settings.env
    if text not in claim_topics(env):
        return fail(inliner, rawtext, lineno, f"unknown claim id {text!r} (not in data/raw/claims.csv)")
    node = page_reference("", LEDGER_PAGE, f"claim-{text}", classes=["claim-link"], claim_id=text,
                          ids=[f"discussed-{text}-{env.new_serialno('claim-link')}"])
    node += nodes.literal(text, text)
    return [node], []


def verdict_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """{verdict}`id`: the claim's verdict as a badge linking to its ledger entry."""
    env = inliner.document.settings.env
    topics = claim_topics(env)
    if text not in topics:
        return fail(inliner, rawtext, lineno, f"unknown claim id {text!r} (not in data/raw/claims.csv)")
    path = DERIVED / f"judgements-{topics[text]}.csv"
    env.note_dependency(str(path))
    verdicts = {row["claim_id"]: row["verdict"] for row in rows(path)} if path.exists() else {}
    if text not in verdicts:
        return fail(inliner, rawtext, lineno, f"claim {text!r} has no verdict in {relative(path)}")
    node = page_reference("", LEDGER_PAGE, f"claim-{text}", classes=["verdict-link"], claim_id=text,
                          ids=[f"discussed-{text}-{env.new_serialno('claim-link')}"])
    node += badge(verdicts[text])
    return [node], []


def paragraph(*parts) -> nodes.paragraph:
    """A paragraph from strings and nodes; ('label', text) pairs become a bold label."""
    para = nodes.paragraph()
    for part in parts:
        if isinstance(part, tuple):
            para += nodes.strong(text=part[0] + ": ")
            para += nodes.Text(part[1])
        elif isinstance(part, str):
            para += nodes.Text(part)
        else:
            para += part
    return para


def table(header, body_rows, widths=None, caption: str = "") -> nodes.table:
    """A docutils table of strings (or paragraphs, for cells with links), with an optional caption."""
    node = nodes.table()
    if caption:
        node += nodes.title(text=caption)
    group = nodes.tgroup(cols=len(header))
    node += group
    for width in widths or [1] * len(header):
        group += nodes.colspec(colwidth=width)
    head, body = nodes.thead(), nodes.tbody()
    group += head
    group += body
    for parent, cells in [(head, header)] + [(body, r) for r in body_rows]:
        row = nodes.row()
        for cell in cells:
            entry = nodes.entry()
            entry += cell if isinstance(cell, nodes.Node) else nodes.paragraph(text=str(cell))
            row += entry
        parent += row
    return node


def verdict_cells(verdicts: list[str]) -> list[str]:
    """Table cells: how many of these verdicts are each of the fixed vocabulary, then the total."""
    from ..checks import VERDICTS

    return [str(verdicts.count(v)) for v in VERDICTS] + [str(len(verdicts))]


class discussion_link(nodes.Inline, nodes.Element):
    """Placeholder in a ledger entry for the link to where a chapter discusses the claim;
    resolved once every page has been read (a chapter may be read after the ledger)."""


class ClaimsLedger(SphinxDirective):
    """Every claim of the ledger, grouped by publication, with an anchor each."""

    def run(self):
        from ..checks import VERDICTS

        self.env.note_dependency(str(CITATION))
        ledger_path, sources_path, units_path = DERIVED / "ledger.csv", DATA / "raw" / "sources.csv", DATA / "raw" / "units.csv"
        for path in (ledger_path, sources_path, units_path):
            self.env.note_dependency(str(path))
        ledger = rows(ledger_path)
        labels = {row["key"]: row["label"] for row in rows(sources_path)}
        self.units = {row["unit"]: row["meaning"] for row in rows(units_path)}
        # A claim's chapter is its notebook's (rows() is cached and shared: add no key to its rows).
        ledger = [{**row, "topic": Path(row["notebook"]).stem} for row in ledger]
        publications = list(dict.fromkeys(row["source"] for row in ledger))
        topics = list(dict.fromkeys(row["topic"] for row in ledger))
        titles = {topic: self.chapter_title(topic) for topic in topics}
        counts = [[labels.get(p, p), *verdict_cells([r["verdict"] for r in ledger if r["source"] == p])]
                  for p in publications]
        output = [table(["publication", *VERDICTS, "claims"], counts, [4, 1, 1, 1, 1, 1],
                        caption="Claims by publication and verdict"),
                  self.contents_by_chapter(ledger, topics, titles, labels)]
        for publication in publications:
            section = nodes.section(ids=[f"ledger-{publication}"])
            section += nodes.title(text=labels.get(publication, publication))
            for topic in topics:
                entries = [r for r in ledger if r["source"] == publication and r["topic"] == topic]
                if not entries:
                    continue
                part = nodes.section(ids=[f"ledger-{publication}-{topic}"])
                part += nodes.title(text=f"{titles[topic]} ({len(entries)})")
                for row in entries:
                    part += self.entry(row)
                section += part
            output.append(section)
        return output

    def chapter_title(self, topic: str) -> str:
        """A chapter's title, from the first heading of book/<topic>.md."""
        page = ROOT / "book" / f"{topic}.md"
        self.env.note_dependency(str(page))
        return next(line[2:].strip() for line in page.read_text(encoding="utf-8").splitlines() if line.startswith("# "))

    def contents_by_chapter(self, ledger, topics, titles, labels) -> nodes.table:
        """Per chapter: its claims by verdict, and links to its entries under each publication."""
        from ..checks import VERDICTS

        body = []
        for topic in topics:
            mine = [r for r in ledger if r["topic"] == topic]
            chapter = paragraph(page_reference(titles[topic], f"book/{topic}"))
            where = nodes.paragraph()
            for i, publication in enumerate(dict.fromkeys(r["source"] for r in mine)):
                n = sum(r["source"] == publication for r in mine)
                where += nodes.Text("; " if i else "")
                where += page_reference(f"{labels.get(publication, publication)} ({n})", LEDGER_PAGE,
                                        f"ledger-{publication}-{topic}")
            body.append([chapter, *verdict_cells([r["verdict"] for r in mine]), where])
        return table(["chapter", *VERDICTS, "claims", "entries, by publication"], body, [3, 1, 1, 1, 1, 1, 4],
                     caption="Contents by chapter: claims by verdict, and their entries under each publication")

    def entry(self, row: dict) -> nodes.container:
        self.env.get_domain("claim").note_claim(row["claim_id"])
        anchor = f"claim-{row['claim_id']}"
        box = nodes.container(ids=[anchor], classes=["claim", f"claim-{row['verdict']}"])
        # Also an index entry: the search matches a whole query (hyphens and all) against index
        # entries, and an exact match ranks first; the claim objects match it word by word.
        # HTML only: a PDF index would need xindy, which the PDF tools leave out.
        box += addnodes.only("", addnodes.index(entries=[("single", row["claim_id"], anchor, "main", None)]), expr="html")
        head = nodes.paragraph(classes=["claim-head"])
        link = nodes.reference("", "", internal=True, refuri=f"#{anchor}", classes=["claim-id"])
        link += nodes.literal(text=row["claim_id"])
        head += link
        head += nodes.Text(" ")
        head += badge(row["verdict"])
        box += head
        quote = nodes.block_quote()
        quote += nodes.paragraph(text=row["quote"])
        box += quote
        printed = f"{row['stated']} ({self.units.get(row['unit'], row['unit'])})"
        box += paragraph(("Claim", printed), f", {row['locator']}.")
        for label, column in [("What we found", "method"), ("Note", "note"), ("What would settle it", "would_settle")]:
            if row.get(column):
                box += paragraph((label, row[column]))
        notebook = Path(row["notebook"]).with_suffix("").as_posix()
        where = page_reference("the notebook cell that judges it", notebook, f"judge-{row['claim_id']}")
        box += paragraph("Discussed in ", discussion_link(claim_id=row["claim_id"]), "; computed in ", where, ".")
        box += self.citation(row)
        return box

    def citation(self, row: dict) -> list:
        """'Cite this claim': a text citation and BibTeX (the theme gives code blocks a copy button)."""
        record = citation_record()
        anchor = f"claim-{row['claim_id']}"
        if record.get("url"):  # the book's address, one setting in CITATION.cff
            record, title = {**record, "url": f"{record['url'].rstrip('/')}/book/ledger.html#{anchor}"}, f"Claim {row['claim_id']}"
        else:
            title = f"Claim {row['claim_id']} (claims ledger, entry #{anchor})"
        text = citation_text(record, title)
        bibtex = citation_bibtex(record, title, f"compendium-{row['claim_id']}")
        cite = nodes.container(classes=["cite-claim"])
        cite += paragraph(("Cite this claim", text + " Accessed on the date you read it."))
        cite += nodes.literal_block(text=bibtex, language="bibtex")
        return cite


def mark_judging_cells(app, doctree):
    """On a notebook's page, give the code cell that judged each claim the anchor judge-<claim_id>
    (the cell column of judgements-<topic>.csv holds a fingerprint of its source); the ledger links there."""
    from ..ledger import cell_fingerprint

    docname = app.env.docname
    path = DERIVED / f"judgements-{docname.removeprefix('notebooks/')}.csv"
    if not docname.startswith("notebooks/") or not path.exists():
        return
    app.env.note_dependency(str(path))
    claims_by_cell: dict[str, list[str]] = {}
    for row in rows(path):
        claims_by_cell.setdefault(row["cell"], []).append(row["claim_id"])
    for node in doctree.findall(nodes.container):
        if node.get("nb_element") == "cell_code":
            source = next(node.findall(nodes.literal_block), None)
            if source is not None:
                node["ids"].extend(f"judge-{c}" for c in claims_by_cell.get(cell_fingerprint(source.astext()), []))


class ClaimDomain(Domain):
    """Claims as objects of the search index, so searching a claim id lists its ledger entry.
    No roles or directives: the claims-ledger directive notes each claim it renders."""

    name, label = "claim", "Claims"
    object_types = {"claim": ObjType("claim", "claim")}
    initial_data: dict = {"claims": {}}  # claim id -> the page whose entry is #claim-<id>
    data_version = 1

    def note_claim(self, claim_id: str) -> None:
        self.data["claims"][claim_id] = self.env.docname

    def clear_doc(self, docname: str) -> None:
        self.data["claims"] = {c: d for c, d in self.data["claims"].items() if d != docname}

    def merge_domaindata(self, docnames, otherdata: dict) -> None:
        """Claims noted by a parallel reader, for the pages it read."""
        self.data["claims"].update({c: d for c, d in otherdata["claims"].items() if d in docnames})

    def get_type_name(self, type, primary=False) -> str:
        return type.lname  # the search lists a result as "(claim, in Claims ledger)"

    def resolve_any_xref(self, env, fromdocname, builder, target, node, contnode) -> list:
        return []  # links to claims are the {claim} role's; MyST asks every domain

    def get_objects(self):
        # Priority 0 (important) ranks the entry above full-text hits on the ledger page.
        for claim_id, docname in sorted(self.data["claims"].items()):
            yield claim_id, claim_id, "claim", docname, f"claim-{claim_id}", 0


def note_discussions(app, doctree):
    """Remember, for each claim, the first place a chapter page links to it ({claim} or {verdict})."""
    env = app.env
    found = env.compendium_discussed if hasattr(env, "compendium_discussed") else {}
    for node in doctree.findall(nodes.reference):
        claim_id = node.get("claim_id")
        if claim_id and env.docname != LEDGER_PAGE and claim_id not in found:
            found[claim_id] = (env.docname, node["ids"][0])
    env.compendium_discussed = found


def purge_discussions(app, env, docname):
    found = getattr(env, "compendium_discussed", {})
    env.compendium_discussed = {c: where for c, where in found.items() if where[0] != docname}


def merge_discussions(app, env, docnames, other):
    env.compendium_discussed = {**getattr(other, "compendium_discussed", {}), **getattr(env, "compendium_discussed", {})}


def rewrite_ledger(app, env):
    """The ledger links to the chapter paragraphs: write it again whenever a page was re-read."""
    return [LEDGER_PAGE] if getattr(app, "compendium_reread", None) and LEDGER_PAGE in env.all_docs else []


def resolve_discussions(app, doctree, docname):
    """Replace each ledger placeholder by a link to the chapter paragraph that discusses the claim."""
    found = getattr(app.env, "compendium_discussed", {})
    for node in list(doctree.findall(discussion_link)):
        where = found.get(node["claim_id"])
        if where is None:
            node.replace_self(nodes.Text("no chapter yet"))
            continue
        title = app.env.titles[where[0]].astext()
        node.replace_self(page_reference(title, where[0], where[1], classes=["discussed-in"]))


class CoverageTable(SphinxDirective):
    """Per publication: numbers in its text, in claims, excluded (by reason), open, complete."""

    def run(self):
        path = DERIVED / "coverage.csv"
        self.env.note_dependency(str(path))
        self.env.note_dependency(str(DATA / "raw" / "sources.csv"))
        labels = {row["key"]: row["label"] for row in rows(DATA / "raw" / "sources.csv")}
        body = []
        for row in rows(path):
            reasons = "; ".join(f"{k.removeprefix('excluded: ')} {v}" for k, v in row.items()
                                if k.startswith("excluded: ") and v != "0")
            body.append([labels.get(row["source"], row["source"]), row["tokens"], row["claims"],
                         row["excluded"] + (f" ({reasons})" if reasons else ""), row["open"],
                         "yes" if row["complete"] == "True" else "no"])
        return [table(["publication", "numbers in the text", "in claims", "excluded", "open", "complete"],
                      body, [3, 1, 1, 3, 1, 1])]


class NotebookStatus(SphinxDirective):
    """Each notebook: its claims by verdict, and how long its last execution in this checkout took
    (a notebook whose inputs never changed here was not executed: its committed outputs stand)."""

    def run(self):
        from ..checks import VERDICTS

        times_path = ROOT / "_build" / "execution-times.json"
        times = json.loads(times_path.read_text()) if times_path.exists() else {}
        if times_path.exists():
            self.env.note_dependency(str(times_path))
        body = []
        for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
            judged = DERIVED / f"judgements-{path.stem}.csv"
            self.env.note_dependency(str(judged))
            verdicts = [r["verdict"] for r in rows(judged)] if judged.exists() else []
            name = f"notebooks/{path.name}"
            seconds = f"{times[name]:.1f} s" if name in times else "not executed here (committed outputs current)"
            body.append([name, str(len(verdicts)), *[str(verdicts.count(v)) for v in VERDICTS], seconds])
        return [table(["notebook", "claims", *VERDICTS, "execution time"], body, [3, 1, 1, 1, 1, 1, 2])]


class SourcesTable(SphinxDirective):
    """Every source: what it is, where it is, what was read of it, and whether its numbers are all accounted for."""

    def run(self):
        path = DATA / "raw" / "sources.csv"
        self.env.note_dependency(str(path))
        body = [[r["label"], r["role"], r["address"], r["read"], r["accessed"] or "not recorded",
                 {"true": "yes", "false": "no"}.get(r["complete"].lower(), "")] for r in rows(path)]
        return [table(["source", "role", "where", "what was read", "accessed", "every number accounted for"],
                      body, [3, 1, 3, 3, 1, 1])]


class GlossaryTerms(SphinxDirective):
    """Every glossary term with where the sources print it; then the inconsistencies."""

    def run(self):
        from ..glossary import inconsistencies, occurrences

        for name in ("glossary.csv", "glossary_occurrences.csv"):
            self.env.note_dependency(str(DATA / "raw" / name))
        self.env.note_dependency(str(DATA / "raw" / "sources.csv"))
        labels = {row["key"]: row["label"] for row in rows(DATA / "raw" / "sources.csv")}
        labels["primary-sources"] = "research notes on primary sources"
        found = occurrences()
        entries = nodes.definition_list()
        for term in rows(DATA / "raw" / "glossary.csv"):
            item = nodes.definition_list_item(ids=[f"term-{term['term_id']}"])
            head = nodes.term()
            printed = term["characters"] or ", ".join(dict.fromkeys(found.loc[found["term_id"] == term["term_id"], "printed"]))
            head += nodes.Text(printed)
            head += nodes.Text(f" ({term['pinyin']})")
            item += head
            body = nodes.definition()
            body += paragraph(term["english"] + (". " + term["note"] if term["note"] else ""))
            where = nodes.bullet_list()
            for row in found[found["term_id"] == term["term_id"]].itertuples():
                pairing = f" with “{row.paired_english}”" if row.paired_english else ""
                where += nodes.list_item("", paragraph(f"{labels.get(row.source, row.source)}: “{row.printed}”{pairing}, "
                                                       f"{row.locator} (line {row.line})"))
            body += paragraph("Printed in the sources:")
            body += where
            item += body
            entries += item
        section = nodes.section(ids=["glossary-inconsistencies"])
        section += nodes.title(text="Where the sources disagree")
        found_inconsistencies = inconsistencies()
        section += table(["kind", "term or English", "pairing", "where"],
                         [list(r) for r in found_inconsistencies.itertuples(index=False)], [2, 2, 3, 4])
        return [entries, section]


# -- citation, colophon, data tables -------------------------------------------

def citation_record() -> dict:
    return yaml.safe_load(CITATION.read_text(encoding="utf-8"))


def author_names(record: dict) -> list[str]:
    """Authors as 'Family, Given' or an entity's name."""
    names = []
    for author in record["authors"]:
        if "family-names" in author:
            names.append(f"{author['family-names']}, {author.get('given-names', '')}".strip(", "))
        else:
            names.append(author["name"])
    return names


def citation_text(record: dict, chapter: str | None) -> str:
    year = str(record["date-released"])[:4]
    authors = "; ".join(author_names(record))
    work = f"{record['title']} (version {record['version']})"
    where = f" Available at {record['url']}." if record.get("url") else ""
    if chapter:
        return f"{authors} ({year}). {chapter}. In {work}.{where}"
    return f"{authors} ({year}). {work}.{where}"


def citation_bibtex(record: dict, chapter: str | None, key: str) -> str:
    year = str(record["date-released"])[:4]
    fields = [("author", " and ".join("{" + a + "}" if "," not in a else a for a in author_names(record)))]
    if chapter:
        kind, fields = "incollection", fields + [("title", chapter), ("booktitle", record["title"])]
    else:
        kind, fields = "misc", fields + [("title", record["title"])]
    fields += [("year", year), ("version", str(record["version"]))]
    if record.get("url"):
        fields.append(("url", record["url"]))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{{key},\n{body}\n}}"


class HowToCite(SphinxDirective):
    """Citation of the current chapter (or, with :whole:, of the compendium)."""

    option_spec = {"whole": directives.flag}

    def run(self):
        self.env.note_dependency(str(CITATION))
        record = citation_record()
        chapter = None
        if "whole" not in self.options:
            titles = list(self.state.document.findall(nodes.title))
            chapter = titles[0].astext() if titles else self.env.docname
        key = "compendium" if chapter is None else \
            "compendium-" + re.sub(r"[^a-z0-9]+", "-", self.env.docname.split("/")[-1].lower())
        text = nodes.paragraph(text=citation_text(record, chapter))
        bibtex = nodes.literal_block(text=citation_bibtex(record, chapter, key), language="bibtex")
        return [text, bibtex]


def installed_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def build_commit() -> str:
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=True)
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain"], capture_output=True, text=True).stdout
        return out.stdout.strip() + (" (with uncommitted changes)" if dirty.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"


class Colophon(SphinxDirective):
    """Table of the software and the commit the book was built with."""

    def run(self):
        commits = ROOT / ".git" / "logs" / "HEAD"  # re-render after a commit
        if commits.exists():
            self.env.note_dependency(str(commits))
        names = [line.split("==")[0].strip() for line in (ROOT / "requirements.in").read_text().splitlines()
                 if line.strip() and not line.startswith("#")]
        body = [("built", datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")),
                ("commit", build_commit()), ("Python", platform.python_version())]
        body += [(name, installed_version(name)) for name in names]
        return [table(("software", "version"), body, [1, 2])]


class DataPackageTables(SphinxDirective):
    """Every resource of data/datapackage.json: description, download and schema."""

    def run(self):
        descriptor = DATA / "datapackage.json"
        self.env.note_dependency(str(descriptor))
        package = json.loads(descriptor.read_text(encoding="utf-8"))
        page_dir = Path(self.env.doc2path(self.env.docname)).parent
        lines = []
        for resource in package["resources"]:
            path = Path("data") / resource["path"]
            link = Path("..") / path if page_dir.name == "book" else path
            lines += [f"### {resource['title']}", "",
                      f"{resource['description']} File: {{download}}`{path} <{link.as_posix()}>`.", "",
                      "| column | type | rules | meaning |", "|---|---|---|---|"]
            for field in resource["schema"]["fields"]:
                rules = ", ".join(f"{k}: {v}" for k, v in field.get("constraints", {}).items())
                cells = [f"`{field['name']}`", field["type"], rules.replace("|", "/"), field.get("description", "")]
                lines.append("| " + " | ".join(cells) + " |")
            keys = [f"`{fk['fields']}` refers to `{fk['reference']['resource']}.{fk['reference']['fields']}`"
                    for fk in resource["schema"].get("foreignKeys", [])]
            if keys:
                lines += ["", "Foreign keys: " + "; ".join(keys) + "."]
            lines.append("")
        return self.parse_text_to_nodes("\n".join(lines))


# -- Chinese text in its own language -------------------------------------------

CHINESE = re.compile(r"\d*[\u3400-\u9fff\uf900-\ufaff][\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef\d.]*")
SKIP = (nodes.literal, nodes.literal_block, nodes.raw, nodes.comment, nodes.FixedTextElement)


class chinese(nodes.inline):
    """A run of Chinese characters: <span lang="zh-Hans"> in HTML, so screen readers voice it in Chinese."""


def visit_chinese_html(self, node):
    self.body.append(self.starttag(node, "span", "", lang="zh-Hans"))


def depart_chinese_html(self, node):
    self.body.append("</span>")


def visit_chinese_plain(self, node):
    pass


def depart_chinese_plain(self, node):
    pass


class MarkChinese(SphinxTransform):
    """Wrap every run of Chinese characters in a `chinese` node, so authors write characters plainly."""

    default_priority = 900

    def apply(self, **kwargs):
        for text in list(self.document.findall(nodes.Text)):
            parent = text.parent
            if parent is None or isinstance(parent, chinese) or any(isinstance(a, SKIP) for a in _ancestors(text)):
                continue
            value = str(text)
            if not CHINESE.search(value):
                continue
            parts, done = [], 0
            for match in CHINESE.finditer(value):
                if match.start() > done:
                    parts.append(nodes.Text(value[done:match.start()]))
                parts.append(chinese(match.group(), match.group()))
                done = match.end()
            if done < len(value):
                parts.append(nodes.Text(value[done:]))
            parent.replace(text, parts)


class MarkChineseLate(SphinxPostTransform):
    """The same, after other extensions have added their text (the bibliography's entries)."""

    default_priority = 999

    def run(self, **kwargs):
        MarkChinese.apply(self)


def _ancestors(node):
    while node.parent is not None:
        node = node.parent
        yield node


# -- the bibliography as an accessible list --------------------------------------

def visit_citation_html(self, node):
    """As docutils, but each entry is a list item of its list (axe: aria-required-children)."""
    if not isinstance(node.previous_sibling(), type(node)):
        self.body.append('<div role="list" class="citation-list">\n')
    self.body.append(self.starttag(node, "div", classes=[node.tagname], role="listitem"))


def depart_citation_html(self, node):
    self.body.append("</div>\n")
    if not isinstance(node.next_node(descend=False, siblings=True), type(node)):
        self.body.append("</div>\n")


# -- printed pages say what they are from -------------------------------------------

def write_print_css(app, exception):
    """Each printed page of the HTML book carries the book's title, version and address (from CITATION.cff)."""
    if exception or app.builder.format != "html":
        return
    record = citation_record()
    top = json.dumps(f"{record['title']}, version {record['version']}")
    bottom = (json.dumps(record["url"] + ", ") + " " if record.get("url") else "") + '"page " counter(page)'
    css = (f"@media print {{\n  @page {{\n    @top-center {{ content: {top}; font-size: 9pt; }}\n"
           f"    @bottom-center {{ content: {bottom}; font-size: 9pt; }}\n  }}\n}}\n")
    static = Path(app.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    (static / "compendium-print.css").write_text(css, encoding="utf-8")


def record_reread(app, env, docnames):
    """List the pages this build re-reads (a test asserts the set for a one-table edit)."""
    app.compendium_reread = sorted(docnames)
    REREAD.parent.mkdir(parents=True, exist_ok=True)
    REREAD.write_text("".join(f"{d}\n" for d in sorted(docnames)), encoding="utf-8")


def setup(app):
    # A change to this extension changes how every page is read: make Sphinx re-read them all.
    app.add_config_value("compendium_extension", sha256(Path(__file__).read_bytes()).hexdigest(), "env")
    app.connect("source-read", note_front_matter)
    app.connect("env-before-read-docs", record_reread)
    app.add_node(chinese, html=(visit_chinese_html, depart_chinese_html),
                 latex=(visit_chinese_plain, depart_chinese_plain), text=(visit_chinese_plain, depart_chinese_plain))
    app.add_transform(MarkChinese)
    app.add_post_transform(MarkChineseLate)
    app.add_node(nodes.citation, override=True, html=(visit_citation_html, depart_citation_html))
    app.add_role("n", number_role)
    app.add_role("claim", claim_role)
    app.add_role("verdict", verdict_role)
    app.add_directive("claims-ledger", ClaimsLedger)
    app.add_domain(ClaimDomain)
    app.add_node(discussion_link)
    app.connect("doctree-read", note_discussions)
    app.connect("doctree-read", mark_judging_cells)
    app.connect("env-purge-doc", purge_discussions)
    app.connect("env-merge-info", merge_discussions)
    app.connect("doctree-resolved", resolve_discussions)
    app.connect("doctree-resolved", resolve_page_references)
    app.connect("env-get-updated", rewrite_ledger)
    app.add_css_file("compendium-print.css", media="print")
    app.connect("build-finished", write_print_css)
    app.add_directive("glossary-terms", GlossaryTerms)
    app.add_directive("coverage-table", CoverageTable)
    app.add_directive("sources-table", SourcesTable)
    app.add_directive("notebook-status", NotebookStatus)
    app.add_directive("how-to-cite", HowToCite)
    app.add_directive("colophon", Colophon)
    app.add_directive("datapackage-tables", DataPackageTables)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "2"}
