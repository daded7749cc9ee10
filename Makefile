# The two commands of the README:
#   make run   - install into .venv and start the dashboard (first start creates and seeds the warehouse,
#                makes the first administrator and prints how to sign in)
#   make test  - install the test extra and the system packages the tests drive, then run every test
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= localhost
PORT   ?= 8501

.PHONY: run test lint bench system-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	KAOHE_URL=http://$(HOST):$(PORT) $(BIN)/kaohe init
	$(BIN)/kaohe serve --host $(HOST) --port $(PORT)

system-deps:
	bash scripts/install-system-deps.sh

# ruff, and the layer contract of pyproject.toml (a lower layer importing a higher one fails)
lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

# The tests pin the project's clock (KAOHE_TODAY, tests/conftest.py); the second run moves the machine's
# own date across a year end (faketime), so a test that read the real date anywhere would fail.
FAR_DATE ?= 2027-01-15 10:00:00

test: $(VENV)/.installed-test system-deps lint
	$(BIN)/python -m pytest -n 2 --dist loadfile
	faketime '$(FAR_DATE)' $(BIN)/python -m pytest -n 2 --dist loadfile -q -m "not browser and not slow" -p no:cacheprovider --durations=8

bench: $(VENV)/.installed-test
	$(BIN)/python -m bench.run
