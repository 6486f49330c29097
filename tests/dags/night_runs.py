"""``dag.test()`` with a run's parameters, on a DAG the whole test session shares."""

from __future__ import annotations

from typing import Any


def run_with_conf(dag: Any, conf: dict[str, Any]) -> Any:
    """Run ``dag`` once with ``conf`` as the run's parameters, leaving the DAG as it was.

    Airflow merges a run's conf into the DAG's own ``Param`` objects in place
    (``airflow.sdk.definitions.param.process_params`` → ``ParamsDict.__setitem__`` →
    ``Param.resolve`` sets ``Param.value``). A scheduler's worker runs each task in a process of
    its own, so there the value dies with the task; ``dag.test()`` runs the tasks in this
    process, and a later ``dag.test()`` of the same parsed DAG would inherit the value (a
    normal night would "re-process" the previous test's period).
    """
    holders = [dag.params, *(task.params for task in dag.tasks)]
    saved = [{key: holder.get_param(key).value for key in holder} for holder in holders]
    try:
        return dag.test(run_conf=conf)
    finally:
        for holder, values in zip(holders, saved, strict=True):
            for key, value in values.items():
                holder.get_param(key).value = value
