# Two commands for a newcomer: `make site` builds the sample site, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: site test check setup clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

setup: $(VENV)/.installed

site: setup
	$(BIN)/python build.py build

check: setup
	$(BIN)/python build.py check

test: setup
	$(BIN)/python -m pytest

clean:
	rm -rf site $(VENV) .pytest_cache
