# Set-up and everyday commands. The README's two commands are `make demo` and `make test`.
PYTHON  ?= python3.11
VENV    ?= .venv
PY      := $(VENV)/bin/python
PROFILE ?= airflow-2.10.5
STAMP   := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: demo test test-fast runtime system-deps bench lint clean venv

venv: $(STAMP)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found (Python 3.11+ is required)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*; touch $(STAMP)

## The main job: the demo (see README): convert the example DAGs, then test them in the real runtime.
demo: venv runtime
	$(PY) cli.py demo

## Debian packages that the Airflow runtime's providers build against (mysqlclient).
system-deps:
	@bash tools/ensure_system_deps.sh

## The pinned Airflow 2 runtime of a target profile (a separate venv under .runtimes/).
runtime: venv system-deps
	$(PY) cli.py runtime build --target $(PROFILE)

## Every test: fast unit tests and the slow integration tests against the real Airflow 2 runtime.
test: venv runtime
	$(PY) -m pytest -q

## Unit tests only (no runtime needed).
test-fast: venv
	$(PY) -m pytest -q -m "not slow"

bench: venv
	$(PY) bench/run.py

lint: venv
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) .runtimes .state out bench/results
