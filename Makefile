# earlywarn — the two commands a newcomer needs: `make demo` and `make test`.
# Each target creates .venv with python3 -m venv when missing and installs the project.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python

.PHONY: demo test reliability bench lint clean

$(VENV)/.base: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.test: $(VENV)/.base
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

$(VENV)/.bench: $(VENV)/.base
	$(PY) -m pip install --quiet -e '.[bench]'
	touch $@

demo: $(VENV)/.base
	$(BIN)/earlywarn demo --force

lint: $(VENV)/.test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src

test: lint
	$(BIN)/pytest -n 2 -q

# the warning-quality families: many seeds per scenario family, claims with stated confidence
reliability: $(VENV)/.test
	$(BIN)/pytest -n 2 --dist loadgroup -q -m reliability; rc=$$?; test $$rc -eq 0 -o $$rc -eq 5

MC_RUNS ?= 200

bench: $(VENV)/.bench
	$(PY) benchmarks/run_all.py --mc-runs $(MC_RUNS)

clean:
	rm -rf $(VENV) earlywarn-out .pytest_cache .mypy_cache .ruff_cache
