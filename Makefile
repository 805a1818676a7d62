# Klimatsamarbeten LOD. `make help` lists the targets.
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
PUBLISHER = $(VENV)/bin/publisher
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help setup browser virtuoso build validate run serve test lint clean bench-sparql

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*?## "}{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || (apt-get update && apt-get install -y nodejs npm)
	npm ci --no-audit --no-fund
	touch $@

setup: $(VENV)/.installed node_modules/.installed ## create .venv and node_modules (YASGUI for the query page, Comunica for tests)

browser: ## install Debian's Chromium for the headless-browser tests (idempotent)
	@test -x /usr/bin/chromium || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium; }

virtuoso: ## install Debian's Virtuoso Open Source, an external SPARQL engine the tests run /sparql on (idempotent)
	@command -v virtuoso-t >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends virtuoso-opensource-7; }

build: setup ## load, validate and publish the dataset into dist/current
	$(PUBLISHER) build

validate: setup ## check the source data against the shapes without writing anything
	$(PUBLISHER) validate

run: setup ## build, validate and serve on http://$(HOST):$(PORT)
	$(PUBLISHER) serve --build --host $(HOST) --port $(PORT)

serve: setup ## serve the last successful build
	$(PUBLISHER) serve --host $(HOST) --port $(PORT)

test: setup browser virtuoso ## set everything up and run the whole test suite
	$(PY) -m pytest

lint: setup ## ruff
	$(VENV)/bin/ruff check publisher tests

bench-sparql: setup $(if $(BACKENDS),virtuoso,) ## /sparql vs Oxigraph server and rdflib-endpoint on ~1M synthetic triples (SMALL=1: quick; BACKENDS=1: also via --sparql-backend and Virtuoso)
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) bench/sparql_bench.py $(if $(SMALL),--small,) $(if $(BACKENDS),--backends,)

clean: ## remove built releases
	rm -rf dist

.PHONY: bench-deref
bench-deref: setup ## dereferencing requests/s against a constant-bytes ceiling (installs wrk)
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk)
	$(PY) bench/deref_bench.py

.PHONY: bench-scale
bench-scale: setup ## build + serve synthetic releases of 10k and 100k triples (SIZES=10k,100k,1m; installs wrk)
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk)
	$(PY) bench/scale_bench.py --sizes $(or $(SIZES),10k,100k) $(if $(LABEL),--label $(LABEL),)
