# The two commands a newcomer needs (see README.md):
#   make build   set up .venv from the repo's own files and build everything on the shipped data
#   make test    set up .venv and run the test suite
VENV ?= .venv
PYTHON ?= python3
BIN := $(CURDIR)/$(VENV)/bin
export PATH := $(BIN):$(PATH)

.PHONY: setup bytecode build test bench mutation messages docs clean

setup: $(VENV)/.installed

# What the build runs (about 770 MB): the package and its dependencies.
$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e .
	touch $@

# What the tests add (playwright, statsmodels, frictionless, hypothesis, ruff, ...), on top of the build's.
$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test]"
	touch $@

# The package's bytecode: pip compiles an installed package, but not an editable install's sources, and where
# PYTHONDONTWRITEBYTECODE is set no step writes it either, so each of a build's processes would compile the package
# again (measured: about a fifth of a build's CPU time). Only the files changed since the last run are compiled.
bytecode: setup
	$(BIN)/python -m compileall -q src

build: setup bytecode
	$(BIN)/snakemake

test: $(VENV)/.installed-test bytecode
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n auto --dist loadfile

# Mutation testing of the pure core with its fast unit tests ([tool.mutmut] in pyproject.toml): not part of CI.
# Prints the score of each module; `.venv/bin/mutmut results` lists the survivors, `mutmut show NAME` one of them.
mutation: $(VENV)/.installed-test
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test,dev]"
	rm -rf mutants
	$(BIN)/mutmut run --max-children 2 > /dev/null || true
	$(BIN)/python bench/mutation_scores.py

bench: setup bytecode
	$(BIN)/python bench/run_benchmarks.py

# After changing a message in the code or templates: extract them again and bring each catalogue up to date
# (new messages arrive untranslated; the build refuses a catalogue with one until it is translated).
messages: setup
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location --sort-output --omit-header \
		--project tnr-pipeline -o src/tnr_pipeline/locale/messages.pot .
	$(BIN)/pybabel update -i src/tnr_pipeline/locale/messages.pot -d src/tnr_pipeline/locale \
		--no-wrap --ignore-obsolete

# The picture of the rules in the README (needs Graphviz's `dot`). PYTHONHASHSEED fixes the order Snakemake lists
# the rules and edges in, so the same workflow gives the same file; the graph goes through a file so that a failing
# snakemake stops here rather than leaving an empty picture.
docs: setup
	PYTHONHASHSEED=0 $(BIN)/snakemake --rulegraph --forceall > $(VENV)/rulegraph.dot
	dot -Tsvg $(VENV)/rulegraph.dot > docs/rulegraph.svg

clean:
	rm -rf data/processed/*.parquet data/processed/datapackage.json figures/*.png figures/*.svg figures/*/ \
		reports/*.md reports/*.html reports/*.txt build logs .snakemake mutants
