# labkit: every target sets up what it needs (a .venv with the pinned versions, Chromium for the browser check).
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PATH := $(CURDIR)/$(BIN):$(PATH)
JB := $(BIN)/jupyter-book build . --config jupyter_book_config.yml --toc _toc.yml
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9]*.ipynb))
NB_WORKERS ?= 2

.PHONY: help install chromium book test lint unit notebooks book-strict browser-check execute lab data lock clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: labkit needs Python 3.11"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $@

install: $(STAMP)  ## create .venv (if missing) and install labkit with the pinned versions

chromium:
	@command -v chromium >/dev/null || { echo "installing Debian's chromium"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

book: $(STAMP)  ## build the Jupyter Book from the committed notebook outputs (no MCMC)
	$(JB)
	@echo "book: $(CURDIR)/_build/html/index.html"

test: lint unit notebooks book-strict browser-check  ## everything CI runs
	@echo "make test: all checks passed"

lint: $(STAMP)  ## ruff lint and format check, code and notebooks
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

unit: $(STAMP)  ## unit tests (fast)
	$(BIN)/python -m pytest -n $(NB_WORKERS) tests

notebooks: $(STAMP)  ## execute every notebook in fast mode with nbmake (outputs are not written back)
	LABKIT_FAST=1 $(BIN)/python -m pytest --nbmake --nbmake-timeout=1200 -n $(NB_WORKERS) --durations=0 $(NOTEBOOKS)

book-strict: $(STAMP)  ## build the book with warnings as errors
	rm -rf _build/html _build/jupyter_execute _build/.doctrees
	$(JB) -W -n --keep-going

browser-check: $(STAMP) chromium  ## open every built page in headless Chromium
	$(BIN)/python scripts/check_book.py --html _build/html

execute: $(STAMP)  ## re-execute every notebook at full fidelity, top to bottom, writing outputs back
	@for nb in $(NOTEBOOKS); do \
	  echo "executing $$nb"; \
	  env -u LABKIT_FAST $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.timeout=-1 "$$nb" || exit 1; \
	done

lab: $(STAMP)  ## JupyterLab in the environment, opened on notebooks/
	$(BIN)/jupyter lab notebooks

data: $(STAMP)  ## regenerate data/ from labkit.simulate
	$(BIN)/python -m labkit.data

lock: $(STAMP)  ## rewrite constraints.txt from the current .venv (after a deliberate upgrade)
	@{ echo "# Exact versions CI passed with (Python 3.11). Regenerate with 'make lock' after a deliberate upgrade."; \
	  $(BIN)/python -m pip freeze --exclude-editable | grep -iv '^labkit'; } > constraints.txt

clean:  ## remove build output (keeps .venv)
	rm -rf _build .pytest_cache .ruff_cache
