# Kefu: `make demo` runs the product on SQLite with demo data; `make test` runs the suite.
VENV   ?= .venv
PYTHON ?= python3
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install demo serve test pytest lint fuzz wheel bench-intake bench-sweep bench-reads bench-peer bench-outages bench-assessment bench clean

VENDOR := kefu/web/static/web/vendor

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

# Front-end assets come from the npm registry at install time and are served by the app.
# ECharts: the common build (bar, line, pie), about 700 kB, for the dashboard and the report.
$(VENDOR)/.stamp: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	cp node_modules/echarts/dist/echarts.common.min.js $(VENDOR)/echarts.min.js
	touch $(VENDOR)/.stamp

install: $(STAMP) $(VENDOR)/.stamp

demo: install
	$(BIN)/kefu migrate
	$(BIN)/kefu demo
	$(BIN)/kefu serve

serve: install
	$(BIN)/kefu serve

# The whole suite: lint, type check, migrations check, then every test.
test: install lint pytest

lint: install
	$(BIN)/ruff check kefu tests bench
	$(BIN)/ruff format --check kefu tests bench
	$(BIN)/mypy kefu
	$(BIN)/python manage.py makemigrations --check --dry-run >/dev/null

pytest: install
	$(BIN)/pytest

# Schemathesis over the whole API with FUZZ_EXAMPLES cases per operation and role, on SQLite
# and on a fresh PostgreSQL database (long: about 25 minutes on two cores). CI runs 40.
FUZZ_EXAMPLES ?= 1000
FUZZ_PG ?= postgres://postgres@127.0.0.1:5432/kefu_fuzz
fuzz: install
	KEFU_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -p no:randomly tests/test_api_fuzz.py
	KEFU_DATABASE_URL=$(FUZZ_PG) KEFU_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) \
		$(BIN)/pytest -p no:randomly --create-db tests/test_api_fuzz.py

# A wheel with everything the app serves (the front-end files included): dist/kefu-*.whl.
wheel: install
	rm -rf build dist
	$(BIN)/pip wheel --quiet --no-deps --no-build-isolation -w dist .

bench-intake: install
	$(BIN)/python -m bench.intake

bench-sweep: install
	$(BIN)/python -m bench.sweep

bench-reads: install
	$(BIN)/python -m bench.reads

bench-peer: install
	$(BIN)/python -m bench.peer

bench-outages: install
	$(BIN)/python -m bench.outages

bench-assessment: install
	$(BIN)/python -m bench.assessment

bench: bench-intake bench-sweep bench-reads bench-peer bench-outages bench-assessment

clean:
	rm -rf $(VENV) var build dist
