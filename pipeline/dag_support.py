"""What the DAG files call: their shared default arguments and the bodies of the night's own
tasks (prepare, summary) and callbacks, so that ``dags/`` only wires steps together.

Each function takes the Airflow task context (or what a task received) and hands the work to
the plain steps of :mod:`pipeline.nightly` and :mod:`pipeline.reprocess`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from core.settings import load_settings, task_retries
from pipeline.alerts import on_task_failure

log = logging.getLogger("dxwh.dags")
# the run summary's lines in the task log: through the task's log channel, not stdout. A task
# process's stdout reaches Airflow on its own socket, block-buffered: a printed summary came
# after the runner's "Post Execute" group had begun, folded inside it.
summary_log = logging.getLogger("dxwh.summary")


def default_args() -> dict[str, Any]:
    """Both DAGs' task defaults: the owner, retries with back-off (``DXWH_TASK_RETRIES``, read
    by :mod:`core.settings`), and an alert when a task fails for good."""
    return {
        "owner": "cds-data",
        "retries": task_retries(),
        "retry_delay": timedelta(seconds=30),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=10),
        "on_failure_callback": on_task_failure,
    }


def prepare_reprocess(params: Mapping[str, Any]) -> dict[str, Any]:
    """The night's first task: with ``reprocess_period`` set, forget that period's files so
    that the ingest reads them again. A period never loaded (or malformed) fails the night
    once, in one line, without retries: waiting does not make the period appear."""
    from airflow.sdk.exceptions import AirflowFailException

    from pipeline.reprocess import UnknownPeriod, forget_period

    period = params.get("reprocess_period")
    if not period:
        return {"period_id": None}
    try:
        return forget_period(load_settings(), str(period))
    except UnknownPeriod as exc:
        raise AirflowFailException(
            f"Không xử lý lại được kỳ {period!r}: kiểm tra mã kỳ (năm '2023' hoặc nửa năm "
            f"'2024-H1') và các kỳ đã nạp. / Cannot reprocess: {exc}"
        ) from None


def summarize_night(ti: Any, run_id: str, parts: dict[str, Any]) -> dict[str, Any]:
    """The ``run_summary`` task: gather what the steps returned, log the few lines an operator
    reads (first in the task's log, outside any folded group), then store the night's record in
    ``audit.pipeline_runs``.

    ``parts`` holds what was passed to the task; the plan and dbt's counts are pulled from
    XCom instead (as arguments they would make this task a direct downstream of
    ``plan_night``, which a quiet night skips).
    """
    from pipeline.dbt_cosmos import BUILD_COUNTS_XCOM_KEY, producer_task_id
    from pipeline.nightly import format_summary, step_record_run

    plan = ti.xcom_pull(task_ids="plan_night", key="plan") or {}
    built = ti.xcom_pull(task_ids=producer_task_id("transform"), key=BUILD_COUNTS_XCOM_KEY)
    night = {
        "ingest": parts.get("ingest") or {},
        "ingest_dti": parts.get("ingest_dti") or {},
        "plan": plan,
        "build": built or {},
        "validate": parts.get("validate") or {},
        "publish": parts.get("publish") or {},
        "scorecard": parts.get("scorecard") or {},
    }
    # the morning's answer first, before anything else this task writes to its log
    for line in format_summary({"run_id": run_id, **night}).splitlines():
        summary_log.info("%s", line)
    quiet = not plan.get("build", True)
    return step_record_run(load_settings(), run_id, night, status="quiet" if quiet else "success")


def record_failed_run(context: Mapping[str, Any]) -> None:
    """DAG ``on_failure_callback``: keep a failed night in ``audit.pipeline_runs`` (with the
    task that failed), scheduled or triggered from the UI, so that ``dxwh status`` lists it.
    Never raises: the night has already failed and the record must not hide why."""
    from pipeline.nightly import record_failed_night

    run_id = context.get("run_id") or getattr(context.get("dag_run"), "run_id", None)
    ti = context.get("ti") or context.get("task_instance")
    task_id = getattr(ti, "task_id", None)
    failed = [str(task_id)] if task_id else []
    if not run_id:
        return
    try:
        record_failed_night(load_settings(), str(run_id), "failed", failed)
    except Exception:  # the data home itself may be what failed
        log.exception("the failed night %s could not be recorded", run_id)
