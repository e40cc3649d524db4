# Every target sets up .venv itself: a fresh machine needs only python3 (3.11+) and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench bench-service lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/claimcheck check fixtures/demo/claims.csv --mue fixtures/ncci/mue_sample.csv --fail-on never

# pytest exits 5 when it collects no test (e.g. a -k that matches nothing): report it, not a failure.
test: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/python -m pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests" >&2; exit 0; fi; exit $$status

bench: $(STAMP)
	$(BIN)/python -m benchmarks.bench_batch
	$(BIN)/python -m benchmarks.bench_import
	$(BIN)/python -m benchmarks.bench_validate
	$(BIN)/python -m benchmarks.bench_ptp_load
	$(BIN)/python -m benchmarks.bench_x12 --mb 20
	$(BIN)/python -m benchmarks.bench_html
	$(BIN)/python -m benchmarks.bench_durable

bench-service: $(STAMP)
	$(BIN)/python -m benchmarks.bench_service

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks tools

clean:
	rm -rf $(VENV) build dist .pytest_cache .hypothesis
