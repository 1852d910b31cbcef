# Kefu: `make demo` runs the product on SQLite with demo data; `make test` runs the suite.
VENV   ?= .venv
PYTHON ?= python3
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install demo serve test pytest lint bench-intake bench-sweep bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

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

bench-intake: install
	$(BIN)/python -m bench.intake

bench-sweep: install
	$(BIN)/python -m bench.sweep

bench: bench-intake bench-sweep

clean:
	rm -rf $(VENV) var
