# The two commands a newcomer needs: `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3

.PHONY: demo test lint typecheck bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -e '.[dev]'
	touch $(VENV)/.installed $@

demo: $(VENV)/.installed
	$(VENV)/bin/forcebridge demo

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check forcebridge tests bench
	$(VENV)/bin/ruff format --check forcebridge tests bench

typecheck: $(VENV)/.installed-dev
	$(VENV)/bin/mypy

test: lint typecheck
	$(VENV)/bin/pytest -n 2 --dist loadfile

bench: $(VENV)/.installed-dev
	$(PY) bench/sandbox.py

clean:
	rm -rf $(VENV) .forcebridge .pytest_cache .mypy_cache .ruff_cache
