"""The book machinery: `make book` (build), the executor (execute), the Sphinx extension
(sphinx_ext), the live preview (watch), the benchmark (bench) and temporary project copies
for tests and the benchmark (project). Notebooks never import it."""
