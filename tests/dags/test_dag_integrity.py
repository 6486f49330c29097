"""DAG integrity: the DagBag loads, every DAG has tags and retries, the graph is as designed."""

from __future__ import annotations

from typing import Any

EXPECTED_GRAPH = {
    "ingest_submissions": {"ingest_dti", "report"},
    "ingest_dti": {"dbt_build", "report"},
    "dbt_build": {"validate", "report"},
    "validate": {"publish", "report"},
    "publish": {"scorecard", "report"},
    "scorecard": {"report"},
    "report": set(),
}


def test_dagbag_has_no_import_errors(dag_bag: Any) -> None:
    assert dag_bag.import_errors == {}
    assert "dx_nightly" in dag_bag.dags


def test_every_dag_has_tags_and_retries(dag_bag: Any) -> None:
    for dag_id, dag in dag_bag.dags.items():
        assert dag.tags, f"{dag_id} has no tags"
        for task in dag.tasks:
            assert task.retries >= 1, f"{dag_id}.{task.task_id} has no retries"


def test_dx_nightly_graph(dag_bag: Any) -> None:
    dag = dag_bag.dags["dx_nightly"]
    graph = {task.task_id: set(task.downstream_task_ids) for task in dag.tasks}
    assert graph == EXPECTED_GRAPH


def test_dx_nightly_schedule(dag_bag: Any) -> None:
    dag = dag_bag.dags["dx_nightly"]
    assert dag.catchup is False
    assert dag.max_active_runs == 1
    assert str(dag.timezone.name) == "Asia/Ho_Chi_Minh"
