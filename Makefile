# Two commands for readers: `make book` and `make test`. Each creates .venv/ on first use
# and installs the pinned requirements into it; nothing is installed system-wide except,
# for the browser tests, Debian's chromium (see `browser`).
# For authors: `make watch` (live preview), `make lab` (JupyterLab), `make bench` (timings).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready
# cffconvert pins jsonschema < 4, which the book's own environment cannot hold: it gets its own.
CFF := .venv-cff/.ready
LAB := $(VENV)/.lab
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CHROMIUM ?= /usr/bin/chromium
AXE := node_modules/axe-core/axe.min.js
PORT ?= 8000
# Notebooks, Sphinx and tests import this checkout's package (also from a copy).
export PYTHONPATH := $(CURDIR)

.PHONY: book test lint browser pdf pdf-tools watch lab bench clean

$(READY): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { \
	  echo "python3 -m venv failed; installing Debian's python3-venv"; \
	  $(SUDO) apt-get update && $(SUDO) apt-get install -y python3-venv && rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

## make book: execute changed notebooks, assemble the ledger, build the HTML book strictly, print its path.
book: $(READY)
	$(BIN)/python -m compendium.book.build --jobs $(JOBS)

## make test: the book build above, the PDF, lint, then every test (data, checks, ledger, nbval, browser, PDF).
test: book pdf browser lint $(AXE) $(CFF)
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile

## ruff over the package, the tests and the notebooks (it reads .ipynb).
lint: $(READY)
	$(BIN)/ruff check compendium tests notebooks

## Debian's chromium for the browser tests (Playwright must not download its own).
browser:
	@test -x $(CHROMIUM) || { echo "installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null; }

## make pdf: the whole book as one PDF (xelatex, Debian's TeX Live and Noto CJK fonts, installed if missing).
PDF := _build/pdf/_build/latex/compendium.pdf
PDF_PACKAGES := latexmk texlive-xetex texlive-latex-extra texlive-fonts-recommended texlive-plain-generic \
  texlive-lang-chinese fonts-freefont-otf fonts-noto-cjk poppler-utils
pdf: book pdf-tools
	$(BIN)/jupyter-book build . --builder pdflatex --path-output _build/pdf --quiet
	@echo "PDF: $(PDF)"

pdf-tools:
	@command -v xelatex >/dev/null && command -v pdftotext >/dev/null && fc-list | grep -q "Noto Sans CJK" || { \
	  echo "installing Debian's TeX Live, Noto CJK and poppler for the PDF"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(PDF_PACKAGES) >/dev/null; }

## cffconvert for the citation tests, pinned in requirements-cff.txt.
$(CFF): requirements-cff.txt
	@test -x .venv-cff/bin/python || $(PYTHON) -m venv .venv-cff
	.venv-cff/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-cff.txt
	@touch $@

## axe-core for the accessibility tests, pinned in package-lock.json (npm from Debian if missing).
$(AXE): package.json package-lock.json
	@command -v npm >/dev/null || { echo "installing Debian's npm for axe-core"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq npm >/dev/null; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

## make watch: serve the book on 127.0.0.1:$(PORT) and rebuild on save of a table, a text
## notebook or a page, with make book's dependency-tracked steps; the open page reloads.
watch: $(READY)
	$(BIN)/python -m compendium.book.watch --port $(PORT)

## make lab: JupyterLab from the project's environment, in notebooks/ (installed on first use, pinned).
$(LAB): $(READY) requirements-lab.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-lab.txt -c requirements.txt
	@touch $@

lab: $(LAB)
	cd notebooks && ../$(BIN)/jupyter lab --ip 127.0.0.1 $(if $(SUDO),,--allow-root)

## make bench: timings of cold, no-op and one-table builds, of make test, and of a synthetic six-chapter book.
bench: $(READY) browser
	$(BIN)/python -m compendium.book.bench

clean:
	rm -rf _build
