# The two commands: `make run` starts the system with demo data; `make test` runs the test suite.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test setup system-deps lint

run: setup
	./scripts/run.sh

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

setup: system-deps $(STAMP)

system-deps:
	./scripts/install-system-deps.sh

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
