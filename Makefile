# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test native lint typecheck rules-test unit docs bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Runs the check on the bundled example and exits with the check's own code
# (1: the example misses one control and violates another, on purpose).
demo: $(STAMP)
	$(BIN)/vibeward check examples/shop --ticket-file examples/tickets/PAY-101.yml

test: $(STAMP) native lint typecheck rules-test unit

# The classifier's per-ticket path compiled with mypyc into build/native (tracer/native.py);
# a no-op while the build matches the sources. Without it, the same code runs as Python.
native: $(STAMP)
	$(BIN)/python -c 'import sys, tracer.native; sys.exit(tracer.native.build())'

lint: $(STAMP)
	$(BIN)/ruff check tracer tests bench
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

rules-test: $(STAMP)
	SEMGREP_ENABLE_VERSION_CHECK=0 $(BIN)/semgrep --test --metrics=off --disable-version-check semgrep-rules/

unit: $(STAMP)
	$(BIN)/python -m pytest -q

docs: $(STAMP)
	$(BIN)/python -m tracer.docs

# Benchmarks (not part of `make test`): vibeward against the raw engine, and the classifier.
bench: $(STAMP) native
	$(BIN)/python bench/bench_check.py --files 5000 --changed 20,200
	$(BIN)/python bench/bench_classify.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
