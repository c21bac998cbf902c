# dpo-docs: `make briefing` and `make test` set up everything they need on a fresh
# Debian machine with Python 3.11+: the virtual environment, the Python packages and
# (as root, or by printing the command) the system libraries.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Two stamps: the builds need the runtime packages only; the tests add their tools.
RUN_STAMP := $(VENV)/.runtime-stamp
STAMP  := $(VENV)/.installed-stamp
DPO    := $(BIN)/dpo-docs
UV     := $(shell command -v uv || echo $(BIN)/uv)
ARGS   ?=

.PHONY: lock extract update-translations compile-translations new-language all briefing factsheets orgchart validate list check test bench lint typecheck schemas clean distclean sysdeps sysdeps-test venv help

help:
	@echo "make briefing    build output/fr/briefing.pdf"
	@echo "make factsheets  build output/fr/factsheets/*.docx"
	@echo "make orgchart    build output/fr/orgchart.pdf (.svg, .png)"
	@echo "make all         build every document and the web edition, in the six official languages"
	@echo "make extract update-translations compile-translations   gettext catalogs (translators)"
	@echo "make validate    check the data in data/"
	@echo "make check       exit 1 if a document is missing or out of date"
	@echo "make test        run the test suite"
	@echo "make bench       time full, no-change and one-change builds, and chart layout"
	@echo "make lint        run ruff"
	@echo "make typecheck   run mypy on src/"
	@echo "make schemas     regenerate schemas/*.schema.json from the data models"
	@echo "make lock        re-resolve requirements*.lock to the newest allowed versions"
	@echo "make clean       remove built outputs"

$(RUN_STAMP): pyproject.toml requirements.lock
	@VENV=$(VENV) PYTHON=$(PYTHON) tools/install.sh requirements.lock
	@touch $@

$(STAMP): $(RUN_STAMP) requirements-dev.lock tools/axe.sh
	@VENV=$(VENV) PYTHON=$(PYTHON) tools/install.sh requirements-dev.lock
	@tools/axe.sh $(VENV)/share/axe-core
	@touch $@

venv: $(STAMP)

# Re-resolve both lock files to the newest versions pyproject.toml allows (then run the
# tests and commit the lock files with the change they bring).
lock: $(RUN_STAMP)
	$(UV) pip compile pyproject.toml --universal --python-version 3.11 --upgrade -q --no-header --no-annotate -o requirements.lock
	$(UV) pip compile pyproject.toml --extra dev --universal --python-version 3.11 --upgrade -q --no-header --no-annotate -o requirements-dev.lock

sysdeps:
	@tools/sysdeps.sh

sysdeps-test:
	@tools/sysdeps.sh test

briefing: sysdeps $(RUN_STAMP)
	$(DPO) build --only briefing $(ARGS)

factsheets: sysdeps $(RUN_STAMP)
	$(DPO) build --only factsheets $(ARGS)

orgchart: sysdeps $(RUN_STAMP)
	$(DPO) build --only orgchart $(ARGS)

all: sysdeps $(RUN_STAMP)
	$(DPO) build --lang all --only briefing --only factsheets --only orgchart --only site $(ARGS)

validate: $(RUN_STAMP)
	$(DPO) validate

list: $(RUN_STAMP)
	$(DPO) list

check: $(RUN_STAMP)
	$(DPO) check

bench: sysdeps-test $(STAMP)
	$(BIN)/python bench/build_bench.py
	$(BIN)/python bench/speed_bench.py
	$(BIN)/python bench/chart_bench.py
	$(BIN)/python bench/setup_bench.py
	$(BIN)/python bench/preview_bench.py

test: sysdeps-test $(STAMP)
	$(BIN)/pytest -q $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests tools

typecheck: $(STAMP)
	$(BIN)/mypy

schemas: $(STAMP)
	$(DPO) schema --out schemas

clean:
	find output -mindepth 1 ! -name .gitkeep -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) src/*.egg-info .pytest_cache .ruff_cache

# Translators: the fixed labels live in src/dpo_docs/i18n.py (French msgids, label keys
# as contexts); their translations in src/dpo_docs/locale/<lang>/LC_MESSAGES/messages.po.
LOCALES := src/dpo_docs/locale
BABEL   := $(BIN)/pybabel

extract: $(STAMP)
	$(BABEL) extract -k N_:1c,2 --no-default-keywords --sort-output --omit-header \
	  --project dpo-docs -o $(LOCALES)/messages.pot src/dpo_docs

update-translations: extract
	$(BABEL) update -i $(LOCALES)/messages.pot -d $(LOCALES) -D messages --no-fuzzy-matching

# Fuzzy translations are printed (a label awaiting review reads better than the French)
# and listed here, language by language, for a translator to review.
compile-translations: $(STAMP)
	$(BABEL) compile -d $(LOCALES) -D messages --statistics --use-fuzzy
	$(BIN)/python tools/fuzzy_labels.py

new-language: extract
	@test -n "$(NEW)" || { echo "usage: make new-language NEW=es" >&2; exit 2; }
	$(BABEL) init -i $(LOCALES)/messages.pot -d $(LOCALES) -D messages -l $(NEW)
