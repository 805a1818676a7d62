# Klimatsamarbeten LOD. `make help` lists the targets.
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
PUBLISHER = $(VENV)/bin/publisher
HOST ?= 127.0.0.1
PORT ?= 8000
STATIC ?= dist/static
SPARQL_URL ?= http://127.0.0.1:8000/sparql
PUBLISHER_FLAGS ?=
TEST_WORKERS ?= 2
# the base of every URI in the dataset: where `make run` serves it (docs/build.md: the base URI)
BASE_URI ?= http://$(if $(filter 0.0.0.0 ::,$(HOST)),127.0.0.1,$(HOST)):$(PORT)/

.DEFAULT_GOAL := help
.PHONY: help setup browser nginx-js virtuoso build validate run serve serve-static test lint clean bench-sparql

help: ## list the targets (with this run's HOST, PORT and BASE_URI)
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk -v host='$(HOST)' -v port='$(PORT)' -v base='$(BASE_URI)' \
	  -v static='$(STATIC)' -v sparql='$(SPARQL_URL)' -v workers='$(TEST_WORKERS)' \
	  'BEGIN{FS=":.*?## "}{gsub(/\$$\(HOST\)/, host, $$2); gsub(/\$$\(PORT\)/, port, $$2); gsub(/\$$\(BASE_URI\)/, base, $$2); gsub(/\$$\(STATIC\)/, static, $$2); gsub(/\$$\(SPARQL_URL\)/, sparql, $$2); gsub(/\$$\(TEST_WORKERS\)/, workers, $$2); printf "  make %-12s %s\n", $$1, $$2}'
	@echo "  variables: HOST=$(HOST) PORT=$(PORT) BASE_URI=$(BASE_URI) STATIC=$(STATIC) SPARQL_URL=$(SPARQL_URL) TEST_WORKERS=$(TEST_WORKERS) (e.g. make run PORT=8001)"

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

build: setup ## load, validate and publish the dataset into dist/current, URIs under $(BASE_URI)
	$(PUBLISHER) --base-uri $(BASE_URI) build

validate: setup ## check the source data against the shapes without writing anything
	$(PUBLISHER) validate

run: setup ## build, validate and serve on http://$(HOST):$(PORT)/ with URIs under $(BASE_URI)
	$(PUBLISHER) --base-uri $(BASE_URI) serve --build --host $(HOST) --port $(PORT)

serve: setup ## serve the last successful build on $(HOST):$(PORT) (warns if it was built for another address)
	$(PUBLISHER) serve --host $(HOST) --port $(PORT)

nginx-js: ## install Debian's nginx and its njs module for the static site (idempotent)
	@test -x /usr/sbin/nginx -a -f /usr/lib/nginx/modules/ngx_http_js_module.so || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx libnginx-mod-http-js; }

serve-static: setup nginx-js ## export the current release into $(STATIC) (once) and serve it with nginx on http://$(HOST):$(PORT), /sparql proxied to $(SPARQL_URL)
	$(PUBLISHER) $(PUBLISHER_FLAGS) export-static $(STATIC)
	exec nginx -c "$$($(PUBLISHER) $(PUBLISHER_FLAGS) static-config $(STATIC) --host $(HOST) --port $(PORT) --sparql $(SPARQL_URL))"

test: setup browser nginx-js virtuoso ## set everything up, lint (ruff: an undefined name fails here), and run the whole test suite ($(TEST_WORKERS) processes, a test file each at a time)
	$(VENV)/bin/ruff check publisher tests bench
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile --durations=20

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

.PHONY: bench-static
bench-static: setup nginx-js ## the static site under nginx vs publisher serve vs bare uvicorn, wrk, same run (installs wrk)
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk)
	$(PY) bench/static_bench.py

.PHONY: bench-search
bench-search: setup ## search and reconciliation latency, today's data and ~1M synthetic triples (SIZES=today,1m)
	$(PY) bench/search_bench.py --sizes $(or $(SIZES),today,1m)
