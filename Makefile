# The two commands that matter: `make demo` and `make test` (see README.md).
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=
# The fast tests in parallel processes (pytest-xdist), one per core up to four: each test
# works in its own SQLite file or PostgreSQL schema, so they do not meet. Slow tests stay
# serial: they time servers and workers of their own.
PARALLEL ?= -n auto --maxprocesses 4


.PHONY: chromium install demo test test-fast test-slow lint typecheck serve clean bench

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev,spark]'
	@touch $(STAMP)

install: $(STAMP)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports --no-cache

typecheck: install
	$(BIN)/mypy

test-fast: install
	$(BIN)/pytest -q -m "not slow" $(PARALLEL) $(PYTEST_ARGS)

test-slow: install
	$(BIN)/pytest -q -m slow $(PYTEST_ARGS)

# The browser tests (tests/browser) drive Debian's chromium: installed here when missing.
chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# Locally the slow tests run with RUN_SLOW=1; CI (CI=true) always runs them.
test: lint typecheck chromium test-fast
	@if [ "$${CI:-}" = "true" ] || [ -n "$${RUN_SLOW:-}" ]; then $(MAKE) --no-print-directory test-slow; \
	else echo "slow tests skipped locally (RUN_SLOW=1 make test runs them; CI always does)"; fi

demo: install
	$(BIN)/concilia db upgrade
	$(BIN)/concilia auth create-admin admin
	$(BIN)/concilia portfolio import data/sample/portfolio.csv --creditor "Demo Bank" --team demo
	$(BIN)/concilia console demo
	$(BIN)/concilia serve

serve: install
	$(BIN)/concilia serve

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

# Every bench/*.py prints one JSON object, saved as bench/results/<name>.json; a failing
# script keeps its previous result, the others still run, and make fails at the end.
bench: install
	@mkdir -p bench/results
	@failed=""; for script in bench/*.py; do name=$$(basename $$script .py); \
		echo "bench: $$name"; \
		if $(BIN)/python $$script > bench/results/$$name.json.tmp; then \
			mv bench/results/$$name.json.tmp bench/results/$$name.json; \
		else rm -f bench/results/$$name.json.tmp; failed="$$failed $$name"; fi; \
	done; if [ -n "$$failed" ]; then echo "failed:$$failed"; exit 1; fi
