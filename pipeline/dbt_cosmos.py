"""The dbt project as an Airflow task group (astronomer-cosmos, watcher execution mode).

Why watcher mode: Cosmos' default runs one dbt process per model, and DuckDB allows one writer
process at a time, so the models would queue on the file lock (or on a one-slot pool, paying
dbt's start-up for every model). In watcher mode one ``dbt build`` (the producer task) builds
and tests every model in a single process while one light sensor task per model reports that
model's result, so each model is still visible, with its own state and log, in the Airflow UI.

The graph is read from a dbt manifest written at set-up time (``LoadMode.DBT_MANIFEST``, see
:func:`pipeline.dbt_runner.parse_manifest`): parsing the DAG file runs no dbt and needs no
metadata database. (``LoadMode.DBT_LS`` ran ``dbt ls`` for ~46 s on a cold parse and then failed
on a fresh ``AIRFLOW_HOME`` with ``no such table: variable``, where Cosmos caches its result.)
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path
from typing import Any

from core.settings import DBT_MANIFEST, DBT_PROJECT_DIR, load_settings
from pipeline.dbt_runner import dbt_executable, macros_digest, manifest_is_stale

log = logging.getLogger(__name__)

RUN_RESULTS = "run_results.json"
KEPT_ARTIFACTS = (RUN_RESULTS, "manifest.json")
# The producer's XCom with what its `dbt build` did (see keep_run_results).
BUILD_COUNTS_XCOM_KEY = "dbt_build_counts"
# dbt's as-of date (which periods exist, which are in progress): the night's date as plan_night
# derived it from the run's data interval, rendered when the task runs, never the wall clock.
AS_OF_DATE_TEMPLATE = "{{ ti.xcom_pull(task_ids='plan_night', key='plan')['as_of'] }}"


def keep_run_results(project_dir: str, context: Any = None, **_: Any) -> None:
    """Cosmos callback on the producer: hand on what its ``dbt build`` did.

    Cosmos runs dbt in a temporary copy of the project that it deletes afterwards. The counts
    (models built, tests passed) go into the producer's XCom, where the run summary reads them:
    a file in the shared dbt target folder would be overwritten by the next dbt command
    (``dbt docs generate`` runs before the summary). ``run_results.json`` and ``manifest.json``
    are also copied to the data home's dbt target folder for people to read.
    """
    from pipeline.dbt_runner import build_counts, read_run_results

    target_dir = load_settings().dbt_target_dir
    target_dir.mkdir(parents=True, exist_ok=True)
    results = Path(project_dir) / "target" / RUN_RESULTS
    if results.is_file() and context is not None:
        counts, failures = read_run_results(results)
        context["ti"].xcom_push(
            key=BUILD_COUNTS_XCOM_KEY,
            value={**build_counts(counts), "failures": failures[:20]},
        )
    for name in KEPT_ARTIFACTS:
        source = Path(project_dir) / "target" / name
        if source.is_file():
            shutil.copyfile(source, target_dir / name)


def producer_task_id(group_id: str) -> str:
    """The task id of the group's one ``dbt build`` (the watcher producer)."""
    from cosmos.constants import PRODUCER_WATCHER_TASK_ID

    return f"{group_id}.{PRODUCER_WATCHER_TASK_ID}"


def set_build_db_env(context: Any = None) -> None:
    """``on_execute_callback``: point dbt (``profiles.yml``) at this data home's build database.

    Read when the task runs, not when the DAG is parsed, so the path always follows the
    worker's ``DXWH_HOME``; dbt inherits the task's environment (``append_env``).
    """
    os.environ["DXWH_BUILD_DB"] = str(load_settings().build_db)


def dbt_task_group(group_id: str, pool: str, **task_group_kwargs: Any) -> Any:
    """The dbt project as a ``DbtTaskGroup``: one producer ``dbt build``, one sensor per node.

    Every task of the group is in ``pool``: the producer writes the build database, and a sensor
    that is retried or cleared from the UI falls back to running dbt for its model itself.
    """
    from cosmos import DbtTaskGroup, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
    from cosmos import settings as cosmos_settings
    from cosmos.constants import ExecutionMode, InvocationMode, LoadMode, TestBehavior

    # Cosmos reports usage to an outside server by default; this deployment makes no outbound
    # calls (docker-compose.yml also sets SCARF_NO_ANALYTICS=true, which Cosmos honours)
    cosmos_settings.enable_telemetry = False

    if not DBT_MANIFEST.is_file():
        raise FileNotFoundError(
            f"no dbt manifest at {DBT_MANIFEST}: run `make setup` or `dxwh dbt-parse` once "
            "(the DAG's dbt tasks are drawn from it; parsing the DAG never runs dbt)"
        )
    if manifest_is_stale(DBT_MANIFEST):
        # the graph may lack a new model; `dbt build` itself still runs the current project
        log.warning("dbt manifest %s is older than the project: run `dxwh dbt-parse`", DBT_MANIFEST)

    group = DbtTaskGroup(
        group_id=group_id,
        project_config=ProjectConfig(
            dbt_project_path=DBT_PROJECT_DIR, manifest_path=DBT_MANIFEST, project_name="dxwh"
        ),
        profile_config=ProfileConfig(
            profile_name="dxwh",
            target_name="build",
            profiles_yml_filepath=DBT_PROJECT_DIR / "profiles.yml",
        ),
        execution_config=ExecutionConfig(
            execution_mode=ExecutionMode.WATCHER,
            # a separate process: dbt-duckdb holds its database handle until the process ends
            invocation_mode=InvocationMode.SUBPROCESS,
            dbt_executable_path=dbt_executable(),
        ),
        render_config=RenderConfig(
            load_method=LoadMode.DBT_MANIFEST,
            test_behavior=TestBehavior.AFTER_EACH,
            emit_datasets=False,
        ),
        operator_args={
            "pool": pool,
            "append_env": True,
            "install_deps": False,
            "vars": {"as_of_date": AS_OF_DATE_TEMPLATE, "macros_digest": macros_digest()},
            "callback": keep_run_results,
            "on_execute_callback": set_build_db_env,
        },
        **task_group_kwargs,
    )
    _sensors_after_producer(group)
    return group


def _sensors_after_producer(group: Any) -> None:
    """Start the per-model sensors once the producer's ``dbt build`` has ended.

    They share the one-slot pool with the producer, so they could not run beside it anyway; as
    explicit downstream tasks they also never wait on a producer that has not started (which is
    what ``dag.test()``, running one task at a time, would otherwise do). ``none_failed``: they
    also run when the producer is skipped, which is how Cosmos answers a producer retry (each
    sensor then re-runs dbt for its own model, one at a time through the pool).
    """
    from cosmos.constants import PRODUCER_WATCHER_DONE_TASK_ID, PRODUCER_WATCHER_TASK_ID

    tasks = list(group.iter_tasks())
    own_ids = {task.task_id for task in tasks}
    producer = next(t for t in tasks if t.task_id.endswith(f".{PRODUCER_WATCHER_TASK_ID}"))
    producer_ids = {
        producer.task_id,
        f"{producer.task_id[: -len(PRODUCER_WATCHER_TASK_ID)]}{PRODUCER_WATCHER_DONE_TASK_ID}",
    }
    for task in tasks:
        if task.task_id in producer_ids:
            continue
        if not task.upstream_task_ids & own_ids:
            producer >> task
            task.trigger_rule = "none_failed"
