"""DAG integrity: the DagBag loads, every DAG has tags and retries, the graph is as designed."""

from __future__ import annotations

from typing import Any

from core.settings import DBT_PROJECT_DIR
from pipeline.assets import BUILD_DB_POOL, PUBLISHED_WAREHOUSE

PRODUCER = "transform.dbt_producer_watcher"

# The graph outside the dbt task group (whose tasks follow the dbt models, checked below).
EXPECTED_EDGES = {
    "ingest.prepare_reprocess": {"ingest.submissions", "ingest.dti"},
    "ingest.submissions": {"plan_night", "report.run_summary"},
    "ingest.dti": {"plan_night", "report.run_summary"},
    # every build task hangs directly off the quiet-night check (checked below for transform)
    "plan_night": {
        PRODUCER,
        "validate.expectations",
        "publish.dbt_docs",
        "publish.warehouse",
        "publish.scorecard",
    },
    "validate.expectations": {"publish.warehouse", "publish.dbt_docs", "report.run_summary"},
    "publish.dbt_docs": {"publish.warehouse"},
    "publish.warehouse": {"publish.scorecard", "report.run_summary"},
    "publish.scorecard": {"report.run_summary"},
    "report.run_summary": set(),
}
# Publish reads the build database and writes the published file, the scorecard reads the
# published file; the producer's "done" marker
# is an EmptyOperator. Every other task writes the build database.
NOT_WRITERS = {"publish.warehouse", "publish.scorecard", "transform.dbt_producer_watcher_done"}


def _graph(dag: Any) -> dict[str, set[str]]:
    return {task.task_id: set(task.downstream_task_ids) for task in dag.tasks}


def test_dagbag_has_no_import_errors(dag_bag: Any) -> None:
    assert dag_bag.import_errors == {}
    assert {"dx_nightly", "dx_export_on_publish"} <= set(dag_bag.dags)


def test_every_dag_has_tags_retries_and_failure_alerts(dag_bag: Any) -> None:
    for dag_id, dag in dag_bag.dags.items():
        assert dag.tags, f"{dag_id} has no tags"
        assert dag.catchup is False, dag_id
        for task in dag.tasks:
            assert task.retries >= 1, f"{dag_id}.{task.task_id} has no retries"
            assert task.retry_exponential_backoff, f"{dag_id}.{task.task_id}: no backoff"
            assert task.on_failure_callback, f"{dag_id}.{task.task_id} sends no alert"


def test_dx_nightly_graph_outside_dbt(dag_bag: Any) -> None:
    graph = _graph(dag_bag.dags["dx_nightly"])
    outside = {
        task_id: {t for t in downstream if not t.startswith("transform.") or t == PRODUCER}
        for task_id, downstream in graph.items()
        if not task_id.startswith("transform.")
    }
    assert outside == EXPECTED_EDGES


def test_a_quiet_night_skips_every_build_task_itself_and_still_reports(dag_bag: Any) -> None:
    dag = dag_bag.dags["dx_nightly"]
    plan = dag.get_task("plan_night")
    build_tasks = {
        t.task_id
        for t in dag.tasks
        if t.task_id.split(".")[0] in {"transform", "validate", "publish"}
    }
    # the short-circuit skips its direct downstream tasks only, so each must be one: the dbt
    # sensors (trigger rule none_failed) would otherwise run dbt alone when the build is skipped
    assert plan.ignore_downstream_trigger_rules is False
    assert build_tasks <= plan.downstream_task_ids
    summary = dag.get_task("report.run_summary")
    assert summary.task_id not in plan.downstream_task_ids
    assert summary.trigger_rule == "none_failed"
    assert "force" in dag.params


def test_dbt_group_has_a_task_per_model_after_one_build(dag_bag: Any) -> None:
    dag = dag_bag.dags["dx_nightly"]
    graph = _graph(dag)
    models = {p.stem for p in (DBT_PROJECT_DIR / "models").rglob("*.sql")}
    assert models, "the dbt project has no models"
    for model in models:
        assert f"transform.{model}.run" in graph, f"no task shows model {model}"
    producer = dag.get_task(PRODUCER)
    assert producer.upstream_task_ids == {"plan_night"}
    assert producer.base_cmd == ["build"]
    # every sensor starts after the single dbt build
    for task_id in graph:
        if task_id.startswith("transform.") and task_id != PRODUCER:
            assert PRODUCER in dag.get_task(task_id).get_flat_relative_ids(upstream=True)
    # validation waits for the whole group, and only for it (and the quiet-night check)
    upstream = dag.get_task("validate.expectations").upstream_task_ids - {"plan_night"}
    assert upstream and all(t.startswith("transform.") for t in upstream)


def test_every_build_db_writer_is_in_the_one_slot_pool(dag_bag: Any) -> None:
    for task in dag_bag.dags["dx_nightly"].tasks:
        if task.task_id in NOT_WRITERS:
            continue
        assert task.pool == BUILD_DB_POOL, f"{task.task_id} writes the build db outside the pool"


def test_dx_nightly_schedule(dag_bag: Any) -> None:
    dag = dag_bag.dags["dx_nightly"]
    assert dag.catchup is False
    assert dag.max_active_runs == 1
    assert str(dag.timezone.name) == "Asia/Ho_Chi_Minh"
    assert dag.schedule == "0 1 * * *"
    assert "reprocess_period" in dag.params


def test_publish_emits_the_warehouse_asset_and_the_export_is_scheduled_on_it(
    dag_bag: Any,
) -> None:
    publish = dag_bag.dags["dx_nightly"].get_task("publish.warehouse")
    assert PUBLISHED_WAREHOUSE in publish.outlets
    consumer = dag_bag.dags["dx_export_on_publish"]
    assert PUBLISHED_WAREHOUSE.name in str(consumer.timetable.asset_condition)
