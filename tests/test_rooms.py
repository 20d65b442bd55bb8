"""Two rooms: the domain (compendium/*.py, what notebooks import) never imports the
book machinery (compendium/book/), and notebooks import only the domain."""

import ast
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(source: str, package: str = "compendium") -> set[str]:
    """Absolute names of the modules a piece of code imports (relative imports resolved in package)."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package if node.level == 1 else package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(filter(None, [base, node.module]))
            names |= {module} | {f"{module}.{alias.name}" for alias in node.names}
    return names


def test_the_domain_never_imports_the_machinery():
    for path in sorted((ROOT / "compendium").glob("*.py")):
        book = {m for m in imported_modules(path.read_text(encoding="utf-8")) if m.startswith("compendium.book")}
        assert not book, f"{path.name} imports the book machinery: {book}"


def test_notebooks_import_only_the_domain():
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        code = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
        book = {m for m in imported_modules(code) if m.startswith("compendium.book")}
        assert not book, f"{path.name} imports the book machinery: {book}"


def test_the_import_checker_sees_relative_and_absolute_imports():
    assert "compendium.book.build" in imported_modules("from .book import build")
    assert "compendium.book" in imported_modules("import compendium.book")
    assert "compendium.data" in imported_modules("from .data import load_table")
