# The README's commands. `make run` and `make test` do all set-up on a fresh machine with Python 3.11+ and npm.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := app
TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: run serve test test-fast install install-test assets translations lint bench bench-analysis bench-council bench-disclosure bench-themes bench-imports clean extract-messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed assets translations $(VENV)/.deduce
install-test: $(VENV)/.installed-test assets translations $(VENV)/.deduce

# deduce (Dutch names in open answers) builds its lookup tables on first use and keeps them in its package: built
# once here, as part of set-up, rather than by the first analysis or the first test that scrubs a quote (~2 min).
$(VENV)/.deduce: $(VENV)/.installed
	$(BIN)/python -c "from analysis.scrub import deduce_available; assert deduce_available()"
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

# NL Design System styles copied into static/vendor (not in git); the app bundles them into one stylesheet.
assets: node_modules/.package-lock.json
	mkdir -p static/vendor
	cp node_modules/@utrecht/design-tokens/dist/theme.css static/vendor/utrecht-design-tokens.css
	cp node_modules/@utrecht/component-library-css/dist/html.css static/vendor/utrecht-html.css

translations: $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -f -d translations 2>&1 | grep -v '^$$' || true
	$(BIN)/pybabel compile -d translations >/dev/null

# Resident flow with demo data on SQLite in the instance folder; the job worker (analysis runs, imports, report PDFs,
# large codings) runs next to the web server on the queue in the instance folder, and stops with it (kill 0: the
# recipe's process group).
run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask demo --council
	trap 'kill 0' EXIT; $(BIN)/flask worker & $(BIN)/flask run --host 127.0.0.1 --port $(PORT)

# Production on one machine (README: Production): migrate, then gunicorn with gunicorn.conf.py and the job worker
# next to it, both stopped together. Set DATABASE_URL, RATELIMIT_STORAGE_URI and JOB_QUEUE_URL first.
serve: install
	$(BIN)/flask db upgrade
	trap 'kill 0' EXIT; $(BIN)/flask worker & $(BIN)/gunicorn -c gunicorn.conf.py 'app:create_app()'

# The whole suite: SQLite always, PostgreSQL at TEST_DATABASE_URL when it answers (REQUIRE_POSTGRES=1 makes it
# mandatory), browser tests in Debian's Chromium (REQUIRE_BROWSER=1 makes it mandatory).
test: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest -n auto --maxprocesses 4 --durations=25

# A developer's quick check: ruff and the suite without the browser and slow tests, on SQLite only.
test-fast: install-test
	$(BIN)/ruff check .
	TEST_DATABASE_URL= $(BIN)/pytest -n auto --maxprocesses 4 -m "not browser and not slow"

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Every package and template of the project is scanned; tests/test_i18n.py ignores the same folders.
BABEL_IGNORE := .* _* node_modules static tests migrations benchmarks build dist instance translations
extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs "$(BABEL_IGNORE)" -o translations/messages.pot --no-location --sort-output --project=Leefwereld .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete

bench: install-test
	$(BIN)/python benchmarks/submit.py

# The analysis of a synthetic wave, time per stage and peak memory; add 1000000 by hand (a few minutes).
bench-analysis: install-test
	$(BIN)/python benchmarks/analysis.py --respondents 10000
	$(BIN)/python benchmarks/analysis.py --respondents 100000

# The labelled development texts live outside the repository (see ../shared/data/themes-dev/README.md).
bench-themes: install-test
	$(BIN)/python benchmarks/theme_dev.py

# Server time of the council's pages over the stored snapshot of a 10k and a 1M-respondent wave (about 5 minutes,
# 3 GB of memory for the 1M analysis): the time does not grow with the number of respondents.
bench-council: install-test
	$(BIN)/python benchmarks/council.py --respondents 10000 --respondents 1000000

# Information loss of disclosure control: cells hidden by primary suppression alone and in total, and its time, for
# the demo-sized wave and a 1M-respondent wave (a few minutes, about 3 GB of memory for the 1M wave).
bench-disclosure: install-test
	$(BIN)/python benchmarks/disclosure.py --respondents 2000 --respondents 1000000

# Rows per second of an import job (checking and storing) for a 10k and a 100k-row CSV file (a few minutes).
bench-imports: install-test
	$(BIN)/python benchmarks/imports.py --rows 10000 --rows 100000

clean:
	rm -rf $(VENV) node_modules static/vendor
