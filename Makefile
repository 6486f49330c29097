# Two commands do all the set-up on a fresh machine:
#   make run   - the nightly pipeline once, through Airflow, on the embedded defaults
#   make test  - the whole test suite and the linters
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.8
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
RUN := $(UV) run --frozen --no-progress
# pytest in one process per core (pytest-xdist; `worksteal` lets an idle process take queued
# tests from a busy one); TEST_WORKERS=0 runs the suite in a single process
TEST_WORKERS ?= auto
PYTEST := $(RUN) pytest --numprocesses $(TEST_WORKERS) --dist worksteal

.PHONY: help setup run portal airflow bench test test-fast lint lint-python lint-sql lint-dbt lint-evaluator format clean-home bench-demo bench-ingest bench-dbt bench-publish bench-cosmos bench-national bench-portal bench-history

# dbt-labs' dbt-project-evaluator, run offline on a copy of dbt_project/ when the tool is there
DBT_EVALUATOR ?= ../shared/tools/dbt_evaluator.sh

help:
	@echo "make run    run the nightly pipeline once (demo data if the inbox is empty)"
	@echo "make portal serve the submission portal (prints the URL and demo tokens)"
	@echo "make test   run the tests and linters"
	@echo "make test-fast   ruff and every test but the full DAG runs and the deployment (a few minutes)"
	@echo "make lint   ruff, ruff format --check, mypy, sqlfluff, dbt-project-evaluator"
	@echo "make airflow  Airflow's UI on the project's DAGs and data home (PORT=8080)"
	@echo "make bench    dxwh ingest/run as commands vs the no-loss floor, national demo, 3 rounds"
	@echo "              (BENCH_ARGS=--quick for a smoke run, --record to update docs/bench/)"
	@echo "make bench-portal   deadline day: 100, 300, 1,000 uploads at once, then with a night"
	@echo "make bench-history  one period after another: night, dbt, file size, views p95, RSS"
	@echo "make bench-national in-process national table: per-file profile, dbt as history grows"
	@echo "make bench-ingest   submission ingest speed, serial and parallel"
	@echo "make bench-dbt      dbt build (full, no new file) and dbt docs generate"
	@echo "make bench-cosmos   dx_nightly parse time; Cosmos watcher group vs one dbt build task"

setup:
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 \
		|| $(PYTHON) -m pip install --quiet "uv==$(UV_VERSION)"
	@# --compile-bytecode: imports read .pyc files written once here, not compiled from source
	@# in every process (Airflow, dbt and GX import ~2,000 modules; PYTHONDONTWRITEBYTECODE=1
	@# hosts never write them): `import great_expectations` 5.8 s -> 2.6 s, airflow.sdk 3.0 -> 1.2
	@$(UV) sync --frozen --all-extras --python 3.11 --quiet --compile-bytecode
	@# the dbt manifest the DAG is drawn from: Airflow's parse of dags/ never runs dbt
	@$(RUN) dxwh dbt-parse --quiet

run: setup
	$(RUN) dxwh run --demo-if-empty

portal: setup
	$(RUN) dxwh portal serve --demo $(if $(PORT),--port $(PORT))

airflow: setup
	$(RUN) python -m pipeline.local_airflow --port $(or $(PORT),8080) --host $(or $(HOST),127.0.0.1)

# The three groups share nothing (mypy's cache, sqlfluff's own dbt compile in a temporary
# database, the evaluator on a copy of dbt_project/): one per core, each one's output together.
lint: setup
	@$(MAKE) --no-print-directory -j2 --output-sync=target lint-python lint-sql lint-evaluator

lint-python:
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy
	$(RUN) mypy dags

lint-sql:
	DXWH_BUILD_DB=$$(mktemp -d)/lint.duckdb $(RUN) sqlfluff lint dbt_project/models
	$(RUN) sqlfluff lint --templater raw warehouse/queries

lint-dbt: setup lint-evaluator

# Fails on any finding; says so and goes on where the evaluator is not installed.
lint-evaluator:
	@if [ -f "$(DBT_EVALUATOR)" ]; then \
		out=$$(bash "$(DBT_EVALUATOR)" . 2>&1); echo "$$out"; \
		echo "$$out" | grep -q "Done. PASS=" || { echo "dbt-project-evaluator did not run"; exit 1; }; \
		! echo "$$out" | grep -qE "^(WARN|FAIL) [0-9]+ "; \
	else echo "dbt-project-evaluator not found at $(DBT_EVALUATOR): skipped"; fi

format: setup
	$(RUN) ruff format .
	$(RUN) ruff check --fix .

test: setup lint
	$(PYTEST)

test-fast: setup
	$(RUN) ruff check .
	$(PYTEST) -m "not slow and not deploy"

# what users run (dxwh ingest, dxwh run, dxwh sql as processes) against the no-loss floor, the
# parse limit and a fixed naive script, on one national inbox, repeated; JSON under $DXWH_HOME/bench/
bench: setup
	$(RUN) python -m tests.benchmarks.bench_commands $(BENCH_ARGS)

# deadline day at the portal: uploads at once through POST /api/submissions, then with a night
bench-portal: setup
	$(RUN) python -m tests.benchmarks.bench_portal $(BENCH_ARGS)

# history built one period after another (BENCH_ARGS="--scale national" for the national demo)
bench-history: setup
	$(RUN) python -m tests.benchmarks.bench_history $(BENCH_ARGS)

# the in-process national table: per-file profile, dbt as history grows (--history N)
bench-national: setup
	$(RUN) python -m tests.benchmarks.bench_national $(BENCH_ARGS)

bench-demo: setup
	$(RUN) python tests/benchmarks/bench_demo.py

bench-ingest: setup
	$(RUN) python tests/benchmarks/bench_ingest.py

bench-dbt: setup
	$(RUN) python tests/benchmarks/bench_dbt_build.py

bench-cosmos: setup
	$(RUN) python tests/benchmarks/bench_cosmos.py

bench-publish: setup
	$(RUN) python -m tests.benchmarks.bench_publish
