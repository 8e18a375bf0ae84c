# Two commands for a newcomer: `make site` builds the sample site, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: site test check setup clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	@# the filter hides setuptools' notice that every editable install prints (a notice, not a problem)
	PYTHONWARNINGS="ignore:Editable installation" $(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# axe-core and vnu.jar for the browser audit, pinned in package-lock.json (skipped when npm is absent).
node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

setup: $(VENV)/.installed $(if $(shell command -v npm),node_modules/.package-lock.json)

# Building and checking never use Node: only the tests (the browser audit) need the npm packages.
site: $(VENV)/.installed
	$(BIN)/python build.py build

check: $(VENV)/.installed
	$(BIN)/python build.py check

test: setup
	$(BIN)/python -m pytest

clean:
	rm -rf site $(VENV) .pytest_cache
