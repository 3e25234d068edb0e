# Two commands do all set-up on a fresh machine: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test serve check clean-demo

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	bash scripts/vendor.sh
	touch $(STAMP)

## Install, build the demo county on SQLite (idempotent) and serve http://127.0.0.1:8000
demo: $(STAMP)
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	bash scripts/serve.sh

## Serve without (re)loading the demo
serve: $(STAMP)
	bash scripts/serve.sh

## Install what the tests need and run the whole suite on SQLite, then on PostgreSQL
test: $(STAMP)
	bash scripts/install_browser.sh
	bash scripts/test.sh

clean-demo:
	rm -rf var
