# labkit: every target sets up what it needs (a .venv with the pinned versions, the book's JavaScript from npm,
# Chromium for the browser check).
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
# MathJax, RequireJS and the widget manager, copied from node_modules into a folder that
# jupyter_book_config.yml lists in html_static_path, so that the book reads offline.
ASSETS := _build/assets
ASSETS_STAMP := $(ASSETS)/.copied
NPM_STAMP := node_modules/.package-lock.json

.PHONY: help install assets chromium book test lint unit unit-slow notebooks book-strict browser-check execute lab \
  wheel-smoke typecheck \
  restore-notebooks data studies lock clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: labkit needs Python 3.11"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[book,dev]"
	@touch $@

install: $(STAMP)  ## create .venv (if missing) and install labkit with the pinned versions

$(NPM_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm not found: the book serves MathJax, RequireJS and the widget manager" \
	  "from npm packages; install Node.js and npm (Debian: apt-get install nodejs npm)"; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund

$(ASSETS_STAMP): $(NPM_STAMP) _ext/widgets-paths.js
	rm -rf $(ASSETS)
	mkdir -p $(ASSETS)/offline/mathjax $(ASSETS)/offline/requirejs $(ASSETS)/offline/html-manager
	cd node_modules/mathjax/es5 && cp -r tex-mml-chtml.js a11y adaptors input output sre ui ../LICENSE \
	  $(CURDIR)/$(ASSETS)/offline/mathjax/
	cp node_modules/requirejs/require.js $(ASSETS)/offline/requirejs/
	cp _ext/widgets-paths.js $(ASSETS)/offline/
	cd node_modules/@jupyter-widgets/html-manager/dist && cp embed-amd.js *.woff *.woff2 *.eot *.ttf *.svg \
	  $(CURDIR)/$(ASSETS)/offline/html-manager/
	@touch $@

assets: $(ASSETS_STAMP)  ## npm ci, then copy MathJax, RequireJS and the widget manager to _build/assets

chromium:  ## install Debian's chromium for the browser check (needs root and apt-get)
	@if command -v chromium >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Debian's chromium"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
	  echo "chromium is not installed, and installing it needs root and apt-get (Debian/Ubuntu)"; \
	fi

book: $(STAMP) $(ASSETS_STAMP)  ## build the Jupyter Book from the committed notebook outputs (no MCMC)
	$(JB)
	@echo "book: $(CURDIR)/_build/html/index.html"

test: lint typecheck unit unit-slow notebooks book-strict browser-check wheel-smoke  ## everything CI runs
	@echo "make test: all checks passed"

lint: $(STAMP)  ## ruff lint and format check, code and notebooks
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)  ## mypy over labkit/ (settings in pyproject.toml)
	$(BIN)/mypy

unit: $(STAMP)  ## unit tests not marked slow (under 2 minutes)
	$(BIN)/python -m pytest -n $(NB_WORKERS) -m "not slow" tests

unit-slow: $(STAMP)  ## the unit tests marked slow (@pytest.mark.slow)
	$(BIN)/python -m pytest -n $(NB_WORKERS) -m slow --durations=10 tests

notebooks: $(STAMP)  ## execute every notebook in fast mode with nbmake (outputs are not written back)
	LABKIT_FAST=1 $(BIN)/python -m pytest --nbmake --nbmake-timeout=1200 -n $(NB_WORKERS) --durations=0 $(NOTEBOOKS)

WHEEL_DIR := _build/wheel
WHEEL_VENV := _build/wheel-venv
wheel-smoke: $(STAMP)  ## build the wheel, install it into a fresh venv, run scripts/wheel_smoke.py outside the repo
	rm -rf $(WHEEL_DIR) $(WHEEL_VENV)
	$(BIN)/python -m pip wheel --quiet --no-deps -w $(WHEEL_DIR) .
	$(PYTHON) -m venv $(WHEEL_VENV)
	$(WHEEL_VENV)/bin/python -m pip install --quiet -c constraints.txt $(WHEEL_DIR)/labkit-*.whl
	cd $$(mktemp -d) && $(CURDIR)/$(WHEEL_VENV)/bin/python $(CURDIR)/scripts/wheel_smoke.py

book-strict: $(STAMP) $(ASSETS_STAMP)  ## build the book with warnings as errors
	rm -rf _build/html _build/jupyter_execute _build/.doctrees
	$(JB) -W -n --keep-going

browser-check: $(STAMP) chromium  ## open every built page in headless Chromium, network blocked
	@if command -v chromium >/dev/null; then \
	  $(BIN)/python scripts/check_book.py --html _build/html; \
	elif [ -n "$$CI" ]; then \
	  echo "browser check: chromium is missing in CI (run as root with apt-get)"; exit 1; \
	else \
	  echo "browser check SKIPPED: no chromium (run 'make chromium' as root on Debian/Ubuntu to install it)"; \
	fi

execute: $(STAMP)  ## re-execute every notebook at full fidelity, top to bottom, writing outputs back
	@for nb in $(NOTEBOOKS); do \
	  echo "executing $$nb"; \
	  env -u LABKIT_FAST LABKIT_PROGRESS=0 TQDM_DISABLE=1 $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.timeout=-1 "$$nb" || exit 1; \
	  $(BIN)/python scripts/clean_outputs.py "$$nb" || exit 1; \
	done

lab: $(STAMP)  ## JupyterLab in the environment, opened on notebooks/ (LABKIT_FAST=1 make lab: quick fits)
	@echo "Lab autosaves: running a notebook overwrites its committed outputs; 'make restore-notebooks' undoes that"
	$(BIN)/jupyter lab notebooks $$([ "$$(id -u)" = 0 ] && echo --allow-root)

restore-notebooks:  ## discard every uncommitted change to notebooks/*.ipynb (e.g. outputs Lab autosaved)
	git checkout -- $(NOTEBOOKS)

data: $(STAMP)  ## regenerate data/ from the simulators in labkit.data
	$(BIN)/python -m labkit.data

studies: $(STAMP)  ## re-run the committed recovery studies into data/studies (python -m labkit.study)
	$(BIN)/python -m labkit.study noise --n-jobs $(NB_WORKERS)
	$(BIN)/python -m labkit.study designer --n-jobs $(NB_WORKERS)
	$(BIN)/python -m labkit.study geo_calibration --n-jobs $(NB_WORKERS)
	$(BIN)/python -m labkit.study geo_test_loop --n-jobs $(NB_WORKERS)
	$(BIN)/python -m labkit.study confounders --n-jobs $(NB_WORKERS)
	$(BIN)/python -m labkit.study elicitation --n-jobs $(NB_WORKERS)

lock: $(STAMP)  ## rewrite constraints.txt from the current .venv (after a deliberate upgrade)
	@{ echo "# Exact versions CI passed with (Python 3.11). Regenerate with 'make lock' after a deliberate upgrade."; \
	  $(BIN)/python -m pip freeze --exclude-editable | grep -iv '^labkit'; } > constraints.txt

clean:  ## remove build output (keeps .venv and node_modules)
	rm -rf _build .pytest_cache .ruff_cache
