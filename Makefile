# Two commands matter: `make run` and `make test`. Everything else supports them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: run test install assets messages lint typecheck pytest pytest-postgres browser-deps clean

run: install assets messages
	$(BIN)/maillage migrate --noinput
	$(BIN)/maillage demo --if-empty
	$(BIN)/python scripts/run.py

test: install assets messages browser-deps lint typecheck pytest pytest-postgres

install: $(VENV)/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

assets: node_modules/.package-lock.json
	$(BIN)/python scripts/build_assets.py

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

messages: install
	@command -v msgfmt >/dev/null || scripts/apt-install gettext
	cd maillage && ../$(BIN)/maillage compilemessages --verbosity 0

browser-deps:
	@test -x /usr/bin/chromium || scripts/apt-install chromium

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy maillage tests bench scripts

pytest: install
	$(BIN)/pytest -q -p no:cacheprovider

# Runs only when a PostgreSQL URL is given (.ci/run gives one): the same suite on PostgreSQL.
pytest-postgres: install
	@if [ -n "$$MAILLAGE_TEST_POSTGRES_URL" ]; then \
		echo "== pytest on PostgreSQL"; \
		MAILLAGE_DATABASE_URL="$$MAILLAGE_TEST_POSTGRES_URL" $(BIN)/pytest -q -p no:cacheprovider; \
	else echo "MAILLAGE_TEST_POSTGRES_URL not set: PostgreSQL pass skipped (CI sets it)"; fi

clean:
	rm -rf $(VENV) node_modules maillage/static/vendor
