# CityGuard — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
PG_URL ?= $(TEST_DATABASE_URL)

.PHONY: run test install lint typecheck pytest bench clean-db messages

run: install
	$(BIN)/cityguard migrate --noinput
	$(BIN)/cityguard bootstrap
	$(BIN)/cityguard start --simulate --host $${HOST:-127.0.0.1} --port $${PORT:-8000}

test: install lint typecheck
	$(BIN)/python scripts/run_tests.py

install: $(STAMP) $(NODE_STAMP) messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/python scripts/vendor_static.py
	touch $(NODE_STAMP)

messages: | $(STAMP)
	@cd src/cityguard && ../../$(BIN)/django-admin compilemessages --ignore=.venv -v 0

lint:
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts

typecheck:
	$(BIN)/mypy src/cityguard

bench: install
	@for b in map risk hazards chemicals resources consequence ingest equipment enforcement indicators; do \
	  echo "=== cityguard bench $$b"; $(BIN)/cityguard bench $$b || exit 1; done

clean-db:
	rm -f var/cityguard.sqlite3 var/cityguard.sqlite3-wal var/cityguard.sqlite3-shm
