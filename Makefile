# Two commands for a fresh machine (see README):  make run   |   make test
# Data: set RUJUK_DATA_MIRROR to a data mirror (e.g. ../shared/data), or leave it unset to download the pinned files.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install assets browser postgresql data run test test-postgresql test-fast lint translations bench clean

$(BIN)/rujuk: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,lint]'
	touch $@

install: $(BIN)/rujuk assets

# Browser libraries of the web maps from the npm registry (package-lock.json), served by the app: no CDN at view time.
assets: webmap/static/vendor/manifest.json

webmap/static/vendor/manifest.json: package.json package-lock.json webmap/assets.py | $(BIN)/rujuk
	npm ci --ignore-scripts --no-audit --no-fund
	$(BIN)/python -m webmap.assets

# Debian's Chromium for the browser tests and bench/bench_pages.py (Playwright drives it; it downloads no browser).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	@command -v chromium >/dev/null 2>&1 || [ -n "$$RUJUK_CHROMIUM" ] || $(SUDO) apt-get install -y --no-install-recommends chromium \
		|| { $(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends chromium; }

# Debian's PostgreSQL server for the tests on PostgreSQL (tests/databases.py starts a throwaway cluster on a Unix
# socket in a temporary folder). `make run` needs no database server: SQLite is the embedded default.
postgresql:
	@command -v pg_ctl >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 \
		|| $(SUDO) apt-get install -y --no-install-recommends postgresql \
		|| { $(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends postgresql; }

# The suites that read and write the database, run again on PostgreSQL (the browser tests stay on SQLite).
PG_SUITES := tests/directory tests/cases tests/accounts tests/service tests/store

data: install
	$(BIN)/rujuk data build

run: data
	$(BIN)/rujuk serve --host $(HOST) --port $(PORT)

test: install browser postgresql
	$(BIN)/python -m pytest
	$(BIN)/python -m pytest --database postgresql -m "not browser" $(PG_SUITES)

test-postgresql: install postgresql
	$(BIN)/python -m pytest --database postgresql -m "not browser" $(PG_SUITES)

# Everything but the browser tests and the slow ones: no Chromium needed.
test-fast: install
	$(BIN)/python -m pytest -m "not browser and not slow"

# ruff (rules and format) and mypy, as configured in pyproject.toml; CI runs it before the tests.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# For translators: the message keys the code and templates use (babel.cfg) and those of the English catalog (some
# are made at run time) go to a template, both catalogs are updated from it (a new key gets an empty text, which
# tests/test_translations.py refuses) and compiled to check them. The service reads the .po files themselves.
CATALOGS := service/translations:messages:service webmap/translations:webmap:webmap
translations: install
	@set -e; for entry in $(CATALOGS); do \
		dir=$${entry%%:*}; rest=$${entry#*:}; domain=$${rest%%:*}; source=$${rest#*:}; \
		$(BIN)/pybabel extract -F babel.cfg -k t --no-default-keywords --omit-header --no-location -o $$dir/$$domain.pot $$source; \
		$(BIN)/python -m core.catalogs template $$dir $$domain; \
		$(BIN)/pybabel update -i $$dir/$$domain.pot -d $$dir -D $$domain --no-fuzzy-matching --ignore-obsolete; \
		$(BIN)/pybabel compile -d $$dir -D $$domain --statistics; \
	done

bench: data browser
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python bench/bench_geo.py
	$(BIN)/python bench/bench_roads.py
	$(BIN)/python bench/bench_national.py
	$(BIN)/python bench/bench_referral.py
	$(BIN)/python bench/bench_coverage.py
	$(BIN)/python bench/bench_pages.py

clean:
	rm -rf service/translations/*.pot webmap/translations/*.pot service/translations/*/LC_MESSAGES/*.mo webmap/translations/*/LC_MESSAGES/*.mo
	rm -rf $(VENV) node_modules webmap/static/vendor data/boundaries/*.parquet data/boundaries/web data/boundaries/manifest.json data/rujuk.sqlite
