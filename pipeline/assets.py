"""Airflow objects the warehouse defines: the published-warehouse asset and the build-db pool."""

from __future__ import annotations

from airflow.sdk import Asset

# Emitted by dx_nightly's publish task each time a new warehouse file is swapped in; downstream
# DAGs (exports, BI refreshes) are scheduled on it.
PUBLISHED_WAREHOUSE = Asset(
    name="dxwh_published_warehouse",
    group="dxwh",
    extra={"path_in_data_home": "published/dx.duckdb", "schemas": "marts"},
)

# DuckDB allows one writer process: every task that writes the build database takes this
# pool's only slot. Created by `dxwh run`, by the compose init service and by operators with
# `airflow pools set dxwh_build_db 1 "..."`.
BUILD_DB_POOL = "dxwh_build_db"
BUILD_DB_POOL_SLOTS = 1
BUILD_DB_POOL_DESCRIPTION = "One writer at a time for the DuckDB build database"
