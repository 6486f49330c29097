"""
### dx_nightly — nightly CĐS staffing and DTI warehouse

Every night: load the units' staffing submissions (template v1) and the national DTI
publications into `raw` (bad files and rows go to `quarantine` with a reason one can act on),
build the dbt models and run their tests, validate with Great Expectations (a critical failure
blocks publishing), publish a read-only snapshot of the marts for analysts and BI tools, write
the scorecard report from it, and record the run summary.

Each task is a call into the project's packages (`ingest`, `expectations`, `warehouse`).
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import dag, task

LOCAL_TZ = pendulum.timezone("Asia/Ho_Chi_Minh")


@dag(
    dag_id="dx_nightly",
    schedule="0 1 * * *",
    start_date=pendulum.datetime(2025, 1, 1, tz=LOCAL_TZ),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["dx", "nightly", "warehouse"],
    default_args={
        "owner": "cds-data",
        # DXWH_TASK_RETRIES lets tests and one-off runs fail fast; the schedule keeps 2
        "retries": int(os.environ.get("DXWH_TASK_RETRIES", "2")),
        "retry_delay": timedelta(seconds=30),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=10),
    },
)
def dx_nightly() -> None:
    @task
    def ingest_submissions(run_id: str | None = None) -> dict[str, Any]:
        from warehouse.nightly import step_ingest
        from warehouse.settings import load_settings

        return step_ingest(load_settings(), batch_id=str(run_id))

    @task
    def ingest_dti(ingested: dict[str, Any], run_id: str | None = None) -> dict[str, Any]:
        # after the submissions: the build database has one writer at a time
        from warehouse.nightly import step_ingest_dti
        from warehouse.settings import load_settings

        return step_ingest_dti(load_settings(), batch_id=str(run_id))

    @task
    def dbt_build(ingested: dict[str, Any]) -> dict[str, Any]:
        from warehouse.nightly import step_build
        from warehouse.settings import load_settings

        return step_build(load_settings())

    @task
    def validate(built: dict[str, Any], run_id: str | None = None) -> dict[str, Any]:
        from airflow.sdk.exceptions import AirflowFailException

        from expectations.runner import QualityGateClosed
        from warehouse.nightly import step_validate
        from warehouse.settings import load_settings

        try:
            return step_validate(load_settings(), run_id=str(run_id))
        except QualityGateClosed as closed:
            # a data defect does not go away on retry: fail now, keep the last good warehouse
            raise AirflowFailException(str(closed)) from closed

    @task
    def publish(validated: dict[str, Any]) -> dict[str, Any]:
        from warehouse.nightly import step_publish
        from warehouse.settings import load_settings

        return step_publish(load_settings())

    @task
    def scorecard(published: dict[str, Any]) -> dict[str, Any]:
        from warehouse.nightly import step_scorecard
        from warehouse.settings import load_settings

        return step_scorecard(load_settings())

    @task
    def report(
        ingested: dict[str, Any],
        ingested_dti: dict[str, Any],
        built: dict[str, Any],
        validated: dict[str, Any],
        published: dict[str, Any],
        scored: dict[str, Any],
        run_id: str | None = None,
    ) -> dict[str, Any]:
        from warehouse.nightly import format_summary, step_record_run
        from warehouse.settings import load_settings

        summary = step_record_run(
            load_settings(),
            str(run_id),
            {
                "ingest": ingested,
                "ingest_dti": ingested_dti,
                "build": built,
                "validate": validated,
                "publish": published,
                "scorecard": scored,
            },
        )
        print(format_summary(summary))
        return summary

    ingested = ingest_submissions()
    ingested_dti = ingest_dti(ingested)
    built = dbt_build(ingested_dti)
    validated = validate(built)
    published = publish(validated)
    scored = scorecard(published)
    report(ingested, ingested_dti, built, validated, published, scored)


dx_nightly()
