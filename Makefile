# Two commands for a fresh machine (see README):  make run   |   make test
# Data: set RUJUK_DATA_MIRROR to a data mirror (e.g. ../shared/data), or leave it unset to download the pinned files.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install assets data run test bench clean

$(BIN)/rujuk: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/rujuk assets

# Browser libraries of the web maps from the npm registry (package-lock.json), served by the app: no CDN at view time.
assets: webmap/static/vendor/manifest.json

webmap/static/vendor/manifest.json: package.json package-lock.json webmap/assets.py | $(BIN)/rujuk
	npm ci --ignore-scripts --no-audit --no-fund
	$(BIN)/python -m webmap.assets

data: install
	$(BIN)/rujuk data build

run: data
	$(BIN)/rujuk serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest

bench: data
	$(BIN)/python bench/bench_geo.py
	$(BIN)/python bench/bench_roads.py
	$(BIN)/python bench/bench_national.py

clean:
	rm -rf $(VENV) node_modules webmap/static/vendor data/boundaries/*.parquet data/boundaries/web data/boundaries/manifest.json data/rujuk.sqlite
