"""
### dx_export_on_publish — CSV exports whenever a new warehouse is published

An example of a downstream DAG scheduled on the `dxwh_published_warehouse` asset that
`dx_nightly` updates when it publishes: it writes every mart of the published warehouse to
`exports/csv/<table>.csv` under the data home (for tools that take files, not a database) and
logs the row counts. A BI refresh would be scheduled the same way.
"""

from __future__ import annotations

from typing import Any

import pendulum
from airflow.sdk import dag, task

from pipeline.assets import PUBLISHED_WAREHOUSE
from pipeline.dag_support import default_args


@dag(
    dag_id="dx_export_on_publish",
    schedule=[PUBLISHED_WAREHOUSE],
    start_date=pendulum.datetime(2025, 1, 1, tz=pendulum.timezone("Asia/Ho_Chi_Minh")),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["dx", "export", "warehouse"],
    default_args=default_args(),
)
def dx_export_on_publish() -> None:
    @task
    def export_marts_csv() -> dict[str, Any]:
        from core.settings import load_settings
        from warehouse.export_csv import export_dir, export_marts_csv

        settings = load_settings()
        counts = export_marts_csv(settings)
        for table, rows in counts.items():
            print(f"{table}: {rows} rows")
        return {"export_dir": str(export_dir(settings)), "tables": counts}

    export_marts_csv()


dx_export_on_publish()
