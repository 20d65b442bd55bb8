"""Sphinx extension of the compendium.

- Pages that glue numbers from a notebook depend on that notebook, so Sphinx
  re-reads them whenever the notebook is rewritten (Jupyter Book does not).
- ``{claim}`id```: a link to a claim's anchor in the ledger (an unknown id fails).
- ``how-to-cite``: a chapter's citation (text and BibTeX) from CITATION.cff.
- ``colophon``: the Python and package versions and the commit the book was
  built from.
- ``datapackage-tables``: each table's description, download link and schema.
"""

from __future__ import annotations

import platform
import re
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import yaml
from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective

from . import ROOT

GLUE_REFERENCE = re.compile(r"\{glue(?::[a-z]+)?\}`([^`<>]*?\.ipynb)::")
CITATION = ROOT / "CITATION.cff"


def note_glue_dependencies(app, docname, source):
    """Make a page depend on every notebook it glues from."""
    page_dir = Path(app.env.doc2path(docname)).parent
    for relative in sorted(set(GLUE_REFERENCE.findall(source[0]))):
        notebook = (page_dir / relative).resolve()
        if not notebook.exists():
            raise FileNotFoundError(f"{docname}: glue reference to missing notebook {relative}")
        app.env.note_dependency(str(notebook))


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


def claim_ids() -> set[str]:
    import csv

    with open(ROOT / "data" / "raw" / "claims.csv", encoding="utf-8", newline="") as f:
        return {row["claim_id"] for row in csv.DictReader(f)}


def claim_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """{claim}`id`: a link to the claim's entry in the ledger; an unknown id fails the build."""
    env = inliner.document.settings.env
    env.note_dependency(str(ROOT / "data" / "raw" / "claims.csv"))
    if text not in claim_ids():
        message = inliner.reporter.error(f"unknown claim id {text!r} (not in data/raw/claims.csv)", line=lineno)
        return [inliner.problematic(rawtext, rawtext, message)], [message]
    node = nodes.reference(rawtext, "", internal=True, classes=["claim-link"])
    node["refuri"] = env.app.builder.get_relative_uri(env.docname, "notebooks/ledger") + f"#claim-{text}"
    node += nodes.literal(text, text)
    return [node], []


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
        return [self._table(("software", "version"), self._software_rows())]

    def _software_rows(self):
        names = [line.split("==")[0].strip() for line in (ROOT / "requirements.in").read_text().splitlines()
                 if line.strip() and not line.startswith("#")]
        rows = [("Python", platform.python_version()), ("commit", build_commit())]
        return rows + [(name, installed_version(name)) for name in names]

    def _table(self, header, rows):
        table = nodes.table()
        group = nodes.tgroup(cols=2)
        table += group
        group += nodes.colspec(colwidth=1)
        group += nodes.colspec(colwidth=2)
        head = nodes.thead()
        group += head
        head += self._row(header)
        body = nodes.tbody()
        group += body
        for row in rows:
            body += self._row(row)
        return table

    @staticmethod
    def _row(cells):
        row = nodes.row()
        for cell in cells:
            entry = nodes.entry()
            entry += nodes.paragraph(text=cell)
            row += entry
        return row


class DataPackageTables(SphinxDirective):
    """Every resource of data/datapackage.json: description, download and schema."""

    def run(self):
        import json

        descriptor = ROOT / "data" / "datapackage.json"
        self.env.note_dependency(str(descriptor))
        package = json.loads(descriptor.read_text(encoding="utf-8"))
        page_dir = Path(self.env.doc2path(self.env.docname)).parent
        lines = []
        for resource in package["resources"]:
            path = Path("data") / resource["path"]
            relative = Path("..") / path if page_dir.name == "book" else path
            lines += [f"### {resource['title']}", "",
                      f"{resource['description']} File: {{download}}`{path} <{relative.as_posix()}>`.", "",
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


def setup(app):
    app.connect("source-read", note_glue_dependencies)
    app.add_role("claim", claim_role)
    app.add_directive("how-to-cite", HowToCite)
    app.add_directive("colophon", Colophon)
    app.add_directive("datapackage-tables", DataPackageTables)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
