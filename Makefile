# Healthforce: two commands for a newcomer (`make demo`, `make test`) and one for maintainers (`make lint`).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
WORKERS ?= 100000

.PHONY: demo test lint venv venv-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

venv: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .

venv-test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'

demo: venv
	$(BIN)/healthforce db upgrade
	$(BIN)/healthforce demo --workers $(WORKERS) --replace --yes
	$(BIN)/healthforce publish --series
	$(BIN)/healthforce status
	$(BIN)/healthforce forecast --draws 200
	$(BIN)/healthforce serve

test: venv-test
	$(BIN)/python -m pytest

lint: venv-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

clean:
	rm -rf $(VENV) healthforce.db .pytest_cache .mypy_cache .ruff_cache
