# The two commands: `make run` serves the demo site, `make test` runs the whole suite.
# Each creates its own virtual environment in .venv the first time.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-sqlite test-postgres lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/salon migrate --noinput
	$(BIN)/salon demo
	$(BIN)/salon serve --host $(HOST) --port $(PORT)

test: test-sqlite test-postgres

# Two workers for the suite (the machine has two cores); the browser tests run on their own.
test-sqlite: $(STAMP)
	$(BIN)/ruff check salon tests bench
	$(BIN)/pytest -n 2 -m "not e2e"
	$(BIN)/pytest -m e2e

# The same suite on PostgreSQL, less the browser tests (they test pages, not the database).
test-postgres: $(STAMP)
	@if $(BIN)/python -c "import psycopg, sys; psycopg.connect('$(POSTGRES_URL)', connect_timeout=3).close()" 2>/dev/null; then \
		SALON_DATABASE_URL=$(POSTGRES_URL) $(BIN)/pytest -n 2 -m "not e2e"; \
	else \
		echo "SKIPPED: the PostgreSQL tests: no PostgreSQL server answers at $(POSTGRES_URL) (set POSTGRES_URL to test against another)."; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check salon tests bench

bench: $(STAMP)
	$(BIN)/python bench/post_page.py

clean:
	rm -rf $(VENV) salon-data
