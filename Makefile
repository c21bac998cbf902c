# dpo-docs: `make briefing` and `make test` set up everything they need on a fresh
# Debian machine with Python 3.11+: the virtual environment, the Python packages and
# (as root, or by printing the command) the system libraries.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DPO    := $(BIN)/dpo-docs
ARGS   ?=

.PHONY: extract update-translations compile-translations new-language all briefing factsheets orgchart validate list check test bench lint typecheck schemas clean distclean sysdeps sysdeps-test venv help

help:
	@echo "make briefing    build output/fr/briefing.pdf"
	@echo "make factsheets  build output/fr/factsheets/*.docx"
	@echo "make orgchart    build output/fr/orgchart.pdf (.svg, .png)"
	@echo "make all         build every document, in the six official languages"
	@echo "make extract update-translations compile-translations   gettext catalogs (translators)"
	@echo "make validate    check the data in data/"
	@echo "make check       exit 1 if a document is missing or out of date"
	@echo "make test        run the test suite"
	@echo "make bench       time full, no-change and one-change builds, and chart layout"
	@echo "make lint        run ruff"
	@echo "make typecheck   run mypy on src/"
	@echo "make schemas     regenerate schemas/*.schema.json from the data models"
	@echo "make clean       remove built outputs"

$(STAMP): pyproject.toml
	@$(PYTHON) -m venv $(VENV) || { echo "cannot create a virtual environment; on Debian: sudo apt-get install -y python3-venv" >&2; exit 1; }
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $@

venv: $(STAMP)

sysdeps:
	@tools/sysdeps.sh

sysdeps-test:
	@tools/sysdeps.sh test

briefing: sysdeps $(STAMP)
	$(DPO) build --only briefing $(ARGS)

factsheets: sysdeps $(STAMP)
	$(DPO) build --only factsheets $(ARGS)

orgchart: sysdeps $(STAMP)
	$(DPO) build --only orgchart $(ARGS)

all: sysdeps $(STAMP)
	$(DPO) build --lang all $(ARGS)

validate: $(STAMP)
	$(DPO) validate

list: $(STAMP)
	$(DPO) list

check: $(STAMP)
	$(DPO) check

bench: sysdeps $(STAMP)
	$(BIN)/python bench/build_bench.py
	$(BIN)/python bench/speed_bench.py
	$(BIN)/python bench/chart_bench.py

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
