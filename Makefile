# Two commands do all set-up on a fresh machine: `make demo` and `make test` (see README.md).
# Each installs only what it needs, behind its own stamp: the demo the runtime dependencies and
# the vendored JavaScript; the tests those plus the `dev` extras (and Debian's Chromium, checked
# on every run). Either order works; editing pyproject.toml re-installs on the next run.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME_STAMP := $(VENV)/.runtime-stamp
DEV_STAMP := $(VENV)/.dev-stamp

.PHONY: demo test serve prod clean-demo

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUNTIME_STAMP): pyproject.toml scripts/vendor.sh | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	bash scripts/vendor.sh
	touch $@

$(DEV_STAMP): $(RUNTIME_STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

# The demo is a development installation (as scripts/serve.sh says): DEBUG on, the dev secret key.
demo serve: export DJANGO_DEBUG ?= 1

## Install, build the demo county on SQLite (idempotent) and serve http://127.0.0.1:8000
demo: $(RUNTIME_STAMP)
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	bash scripts/serve.sh

## Serve without (re)loading the demo
serve: $(RUNTIME_STAMP)
	bash scripts/serve.sh

## Production: gunicorn workers and task workers, settings from the environment (scripts/prod.sh)
prod: $(RUNTIME_STAMP)
	bash scripts/prod.sh

## Install what the tests need and run the whole suite (slow tests included) on SQLite, then on PostgreSQL
test: $(DEV_STAMP)
	bash scripts/install_browser.sh
	bash scripts/test.sh

clean-demo:
	rm -rf var
