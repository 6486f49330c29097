# Two commands do all the set-up on a fresh machine:
#   make run   - the nightly pipeline once, through Airflow, on the embedded defaults
#   make test  - the whole test suite and the linters
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.8
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
RUN := $(UV) run --frozen --no-progress

.PHONY: help setup run airflow bench test lint format clean-home bench-demo bench-ingest bench-dbt bench-publish bench-cosmos

help:
	@echo "make run    run the nightly pipeline once (demo data if the inbox is empty)"
	@echo "make test   run the tests and linters"
	@echo "make airflow  Airflow's UI on the project's DAGs and data home (PORT=8080)"
	@echo "make bench    national-scale benchmark table (BENCH_ARGS=--quick for a smoke run)"
	@echo "make lint   ruff, ruff format --check, sqlfluff"
	@echo "make bench-ingest   submission ingest speed, serial and parallel"
	@echo "make bench-dbt      dbt build (full, no new file) and dbt docs generate"
	@echo "make bench-cosmos   dx_nightly parse time; Cosmos watcher group vs one dbt build task"

setup:
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 \
		|| $(PYTHON) -m pip install --quiet "uv==$(UV_VERSION)"
	@$(UV) sync --frozen --all-extras --python 3.11 --quiet
	@# the dbt manifest the DAG is drawn from: Airflow's parse of dags/ never runs dbt
	@$(RUN) dxwh dbt-parse --quiet

run: setup
	$(RUN) dxwh run --demo-if-empty

airflow: setup
	$(RUN) python -m pipeline.local_airflow --port $(or $(PORT),8080)

lint: setup
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	DXWH_BUILD_DB=$$(mktemp -d)/lint.duckdb $(RUN) sqlfluff lint dbt_project/models

format: setup
	$(RUN) ruff format .
	$(RUN) ruff check --fix .

test: setup lint
	$(RUN) pytest

# the national demo end to end, one table; figures as JSON under $DXWH_HOME/bench/
bench: setup
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
