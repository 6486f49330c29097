"""
### dx_nightly — nightly CĐS staffing and DTI warehouse

Every night at 01:00 (Asia/Ho_Chi_Minh):

1. **ingest** — load the units' staffing submissions (`inbox/submissions/`) and the national DTI
   publications (`inbox/dti/`) into `raw`; bad files and rows go to `quarantine` with a reason
   the unit can act on.
2. **plan_night** — a *quiet night* when nothing landed (no new submission or DTI file, same
   registry) and no reporting deadline, target deadline or period boundary passed since the last
   successful build: transform, validate and publish are then skipped (they show as *skipped*),
   the published version stays, and the summary says so.
3. **transform** — `dbt build` of every model and its tests (one dbt process; one task per
   model shows that model's result).
4. **validate** — Great Expectations; a critical failure blocks publishing and the last good
   warehouse stays online.
5. **publish** — a read-only snapshot of the marts for analysts and BI tools; updates the
   `dxwh_published_warehouse` asset, which downstream DAGs are scheduled on.
6. **report** — the run summary (printed in the task's log) is stored in `audit.pipeline_runs`.

**Re-process one period** (backfill): *Trigger DAG w/ config* and set `reprocess_period`
(`2023`, `2024-H1`, …). That period's submission files are read again from the inbox (or the
archive) with today's code and registry, and every mart is rebuilt. Set `force` to build even
on a quiet night.

Tasks that write the build database share the one-slot pool `dxwh_build_db`. A task that fails
for good alerts by webhook or e-mail (`DXWH_ALERT_WEBHOOK_URL`, `DXWH_ALERT_EMAIL`).
"""

from __future__ import annotations

from typing import Any, cast

import pendulum
from airflow.sdk import Param, XComArg, dag, get_current_context, task, task_group
from airflow.sdk.definitions.xcom_arg import PlainXComArg

from core.periods import PERIOD_ID_PATTERN
from pipeline.assets import BUILD_DB_POOL, PUBLISHED_WAREHOUSE
from pipeline.dag_support import default_args, record_failed_run
from pipeline.dbt_cosmos import dbt_task_group

LOCAL_TZ = pendulum.timezone("Asia/Ho_Chi_Minh")


@dag(
    dag_id="dx_nightly",
    schedule="0 1 * * *",
    start_date=pendulum.datetime(2025, 1, 1, tz=LOCAL_TZ),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["dx", "nightly", "warehouse"],
    params={
        "reprocess_period": Param(
            None,
            type=["null", "string"],
            pattern=PERIOD_ID_PATTERN,
            title="Re-process one period",
            description="Leave empty for a normal night. A period id (2023, 2024-H1, 2024-H2) "
            "reads that period's submission files again and rebuilds the marts.",
        ),
        "force": Param(
            False,
            type="boolean",
            title="Build even on a quiet night",
            description="Run dbt, the expectations and publish although nothing new arrived.",
        ),
    },
    default_args=default_args(),
    # a failed night, scheduled or triggered, is kept for `dxwh status`
    on_failure_callback=record_failed_run,
)
def dx_nightly() -> None:
    @task_group(group_id="ingest")
    def ingest() -> Any:
        @task(pool=BUILD_DB_POOL)
        def prepare_reprocess() -> dict[str, Any]:
            from pipeline.dag_support import prepare_reprocess

            return prepare_reprocess(get_current_context()["params"])

        @task(pool=BUILD_DB_POOL)
        def submissions(reprocess: Any, run_id: str | None = None) -> dict[str, Any]:
            from core.settings import load_settings
            from pipeline.nightly import step_ingest

            return step_ingest(load_settings(), batch_id=str(run_id))

        @task(pool=BUILD_DB_POOL)
        def dti(reprocess: Any, run_id: str | None = None) -> dict[str, Any]:
            from core.settings import load_settings
            from pipeline.nightly import step_ingest_dti

            return step_ingest_dti(load_settings(), batch_id=str(run_id))

        reprocess = prepare_reprocess()
        # both after the reprocess step, one at a time through the pool (one DuckDB writer)
        return submissions(reprocess), dti(reprocess)

    @task.short_circuit(pool=BUILD_DB_POOL, ignore_downstream_trigger_rules=False)
    def plan_night(ingested: Any, ingested_dti: Any, **context: Any) -> bool:
        """True: tonight builds. False: a quiet night; its direct downstream tasks (every
        transform, validate and publish task) are skipped, the report still runs."""
        from core.settings import load_settings
        from pipeline.nightly import night_date, step_plan

        params = context["params"]
        plan = step_plan(
            load_settings(),
            night_date(context),
            reprocess_period=params.get("reprocess_period"),
            force=bool(params.get("force")),
        )
        context["ti"].xcom_push(key="plan", value=plan)
        return bool(plan["build"])

    @task_group(group_id="validate")
    def validate() -> Any:
        @task(pool=BUILD_DB_POOL)  # records its results in audit.dq_results
        def expectations(run_id: str | None = None) -> dict[str, Any]:
            from airflow.sdk.exceptions import AirflowFailException

            from core.settings import load_settings
            from expectations.runner import QualityGateClosed
            from pipeline.nightly import step_validate

            try:
                return step_validate(load_settings(), run_id=str(run_id))
            except QualityGateClosed as closed:
                # a data defect does not go away on retry: fail now, keep the last good warehouse
                raise AirflowFailException(str(closed)) from closed

        return expectations()

    @task_group(group_id="publish")
    def publish(validated: Any) -> Any:
        @task(outlets=[PUBLISHED_WAREHOUSE])
        def warehouse(validated: Any) -> dict[str, Any]:
            from core.settings import load_settings
            from pipeline.nightly import step_publish

            return step_publish(load_settings())

        @task(pool=BUILD_DB_POOL)  # dbt reads the catalog from the build database
        def dbt_docs(validated: Any) -> dict[str, Any]:
            from core.settings import load_settings
            from pipeline.dbt_runner import generate_docs

            return {"docs_path": str(generate_docs(load_settings()))}

        @task
        def scorecard(published: Any) -> dict[str, Any]:
            # reads the published warehouse, writes the report under the data home
            from core.settings import load_settings
            from pipeline.nightly import step_scorecard

            return step_scorecard(load_settings())

        # the published version copies the docs site: generate it first, never beside it
        docs = dbt_docs(validated)
        published = warehouse(validated)
        docs >> published
        return published, scorecard(published)

    @task_group(group_id="report")
    def report(
        ingested: Any, ingested_dti: Any, validated: Any, published: Any, scored: Any
    ) -> None:
        # none_failed: a quiet night's skipped build still gets its summary
        @task(pool=BUILD_DB_POOL, trigger_rule="none_failed")
        def run_summary(
            ingested: dict[str, Any],
            ingested_dti: dict[str, Any],
            validated: dict[str, Any] | None,
            published: dict[str, Any] | None,
            scored: dict[str, Any] | None,
            run_id: str | None = None,
        ) -> dict[str, Any]:
            from pipeline.dag_support import summarize_night

            parts = {
                "ingest": ingested,
                "ingest_dti": ingested_dti,
                "validate": validated,
                "publish": published,
                "scorecard": scored,
            }
            return summarize_night(get_current_context()["ti"], str(run_id), parts)

        run_summary(ingested, ingested_dti, validated, published, scored)

    # TaskFlow's group factories are typed as returning a bare DAGNode; what they return here
    # is what each group function returns (XComArgs), hence the casts for the type checker
    ingested, ingested_dti = cast(tuple[XComArg, XComArg], ingest())
    decision = plan_night(ingested, ingested_dti)
    transform = dbt_task_group("transform", pool=BUILD_DB_POOL)
    validated = cast(PlainXComArg, validate())
    published, scored = cast(tuple[PlainXComArg, XComArg], publish(validated))
    decision >> transform >> validated
    # every build task is a direct downstream of plan_night, so that a quiet night skips each
    # of them itself: through trigger rules, the dbt sensors (none_failed) would run dbt alone
    groups = (transform, validated.operator.task_group, published.operator.task_group)
    for group in cast(tuple[Any, ...], groups):
        for build_task in group:
            decision >> build_task
    report(ingested, ingested_dti, validated, published, scored)


dx_nightly()
