# Two commands: `make book` and `make test`. Each creates .venv/ on first use and
# installs the pinned requirements into it; nothing is installed system-wide except,
# for the browser tests, Debian's chromium (see `browser`).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CHROMIUM ?= /usr/bin/chromium
# Notebooks, Sphinx and tests import this checkout's package (also from a copy).
export PYTHONPATH := $(CURDIR)

.PHONY: book test browser bench clean

$(READY): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { \
	  echo "python3 -m venv failed; installing Debian's python3-venv"; \
	  $(SUDO) apt-get update && $(SUDO) apt-get install -y python3-venv && rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

## make book: execute changed notebooks, build the HTML book strictly, print its path.
book: $(READY)
	$(BIN)/python -m compendium.book.build --jobs $(JOBS)

## make test: the book build above, then every test (data, checks, ledger, nbval, browser).
test: book browser
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile

## Debian's chromium for the browser tests (Playwright must not download its own).
browser:
	@test -x $(CHROMIUM) || { echo "installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null; }

## make bench: timings of cold, no-op and one-table rebuilds and of make test (issue: rebuilds).
bench: $(READY) browser
	$(BIN)/python -m compendium.book.bench

clean:
	rm -rf _build
