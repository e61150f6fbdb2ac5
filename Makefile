# The two commands a newcomer needs (see README.md):
#   make build   set up .venv from the repo's own files and build everything on the shipped data
#   make test    set up .venv and run the test suite
VENV ?= .venv
PYTHON ?= python3
BIN := $(CURDIR)/$(VENV)/bin
export PATH := $(BIN):$(PATH)

.PHONY: setup build test bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test]"
	touch $@

build: setup
	$(BIN)/snakemake

test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python bench/run_benchmarks.py

clean:
	rm -rf data/processed/*.parquet figures/*.png figures/*.svg reports/*.md reports/*.html logs .snakemake
