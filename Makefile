# The two README commands: `make run` (demo district on http://127.0.0.1:5000) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wishmap
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run serve test install install-test demo lint bench bench-map bench-load translations clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# An editable install has no bytecode of the project's own: compiled here, so that commands do
# not compile it at every start where PYTHONDONTWRITEBYTECODE is set (0.15 s of `flask analyse`).
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	$(BIN)/python -m compileall -q wishmap analysis
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/python -m compileall -q wishmap analysis
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## run: create the venv, install, load the demo district into instance/ (once), analyse, serve
run: install
	$(FLASK) init-db
	$(FLASK) demo --seed 42
	$(FLASK) analyse
	# Plain http on the loopback: cookies without the Secure flag (see README, Protection).
	WISHMAP_INSECURE_COOKIES=1 $(FLASK) run --host $(HOST) --port $(PORT)

## serve: production on this machine (SQLite in instance/ unless DATABASE_URL): migrate, then
# gunicorn with gunicorn.conf.py, which refuses an unsafe configuration (README, Running for a city)
serve: install
	$(FLASK) check-production
	$(FLASK) init-db
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

## demo: reload the demo district from scratch
demo: install
	$(FLASK) demo --seed 42 --reset

## test: install the test dependencies and run the whole suite on SQLite and PostgreSQL
# .ci/test-deps installs the Debian packages of .ci/debian-packages when run as root (else it
# stops at once with the command to run) and checks that PostgreSQL answers.
test: install-test
	VENV=$(VENV) .ci/test-deps
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## bench: the analysis benchmark (1,000,000 wishes over the real Paris streets)
bench: install-test
	$(BIN)/python -m bench.analysis

## bench-map: page + first GeoJSON requests of the public map with 100,000 wishes
bench-map: install-test
	$(BIN)/python -m bench.map_payload

## bench-portfolio: portfolio pages and a premise report, 5,000 premises and 1,000,000 wishes
.PHONY: bench-portfolio
bench-portfolio: install-test
	$(BIN)/python -m bench.portfolio

## bench-city: the map's data at 1,000,000 wishes, scans (before) against live aggregates (after)
.PHONY: bench-city
bench-city: install-test
	$(BIN)/python -m bench.city_scale

## bench-scale: the whole path at 1,000,000 wishes on SQLite and PostgreSQL (map data, statistics,
# portfolio, adding a wish, flask analyse); the built cities are cached in /tmp/wishmap-bench-scale
# and as database wishmap_scale_42_1000000, so a rerun only measures; needs PostgreSQL on 127.0.0.1
.PHONY: bench-scale
bench-scale: install-test
	$(BIN)/python -m bench.scale

## bench-load: residents wishing through gunicorn (4 workers, SIGKILL of one) on SQLite and
# PostgreSQL, against a bare-insert app on the same setup; needs Redis and PostgreSQL on 127.0.0.1
bench-load: install-test
	$(BIN)/python -m bench.load

## translations: re-extract the UI strings and update and compile the fr/nl catalogs
translations: install
	$(BIN)/pybabel extract -w 100 -F babel.cfg -k _l --no-location -o wishmap/translations/messages.pot .
	$(BIN)/pybabel update -w 100 -i wishmap/translations/messages.pot -d wishmap/translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d wishmap/translations

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache
