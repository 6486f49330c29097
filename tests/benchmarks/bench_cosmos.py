"""Benchmark: the dbt step as Cosmos' watcher task group vs one plain ``dbt build`` task.

Both DAGs do the same work: a ``plan_night`` task hands the night's date on (as dx_nightly's
does), then one ``dbt build`` of the whole project as of that date, in one process; the watcher
group adds its per-node sensor tasks. Neither runs ``dbt docs generate`` (``step_build`` does,
after its build): that is timed apart, as a third DAG, so its cost is named rather than hidden
in one side. All three run through Airflow (``dag.test()``) on the same ingested demo data, one
after the other, in one process. The script also times parsing ``dx_nightly.py`` from a fresh
process's first ``DagBag`` (the dbt graph comes from the manifest ``make setup`` writes; no dbt
runs) and again in the same process. Run it with ``make bench-cosmos``; it prints the figures
and the load average, it asserts nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

BENCH_DAGS = """
import datetime as dt

from airflow.sdk import DAG, task

from pipeline.assets import BUILD_DB_POOL
from pipeline.dbt_cosmos import dbt_task_group


def _plan_night(**context):
    # what dx_nightly's plan_night hands the dbt step: the night's date
    context["ti"].xcom_push(key="plan", value={"as_of": dt.date.today().isoformat()})


with DAG("bench_single_dbt_build", schedule=None):

    @task(pool=BUILD_DB_POOL)
    def plan_night(**context):
        _plan_night(**context)

    @task(pool=BUILD_DB_POOL)
    def dbt_build(**context) -> dict:
        from core.settings import load_settings
        from pipeline.dbt_runner import run_dbt

        plan = context["ti"].xcom_pull(task_ids="plan_night", key="plan")
        result = run_dbt(load_settings(), "build", as_of=dt.date.fromisoformat(plan["as_of"]))
        return {"models_ok": result.models_ok, "tests_passed": result.tests_passed}

    plan_night() >> dbt_build()

with DAG("bench_cosmos_watcher", schedule=None):

    @task(pool=BUILD_DB_POOL)
    def plan_night(**context):
        _plan_night(**context)

    plan_night() >> dbt_task_group("transform", pool=BUILD_DB_POOL)

with DAG("bench_dbt_docs", schedule=None):

    @task(pool=BUILD_DB_POOL)
    def dbt_docs() -> str:
        from core.settings import load_settings
        from pipeline.dbt_runner import generate_docs

        return str(generate_docs(load_settings()))

    dbt_docs()
"""

LABELS = {
    "bench_single_dbt_build": "one dbt build task",
    "bench_cosmos_watcher": "cosmos watcher group",
    "bench_dbt_docs": "dbt docs generate task",
}


def main() -> int:
    scratch = Path(tempfile.mkdtemp(prefix="dxwh-bench-"))
    os.environ.update(
        {
            "DXWH_HOME": str(scratch / "home"),
            "AIRFLOW_HOME": str(scratch / "airflow"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            # dag.test() runs DAGs Airflow parsed from its DAGs folder: the benchmark DAGs
            "AIRFLOW__CORE__DAGS_FOLDER": str(scratch / "dags"),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{scratch / 'airflow.db'}",
            "AIRFLOW__COSMOS__CACHE_DIR": str(scratch / "cosmos"),
            "DXWH_TASK_RETRIES": "0",
        }
    )
    load_start = os.getloadavg()
    bench_dags = scratch / "dags"
    bench_dags.mkdir()
    (bench_dags / "bench_dbt.py").write_text(BENCH_DAGS, encoding="utf-8")
    bin_dir = Path(sys.executable).parent
    subprocess.run([str(bin_dir / "airflow"), "db", "migrate"], check=True, capture_output=True)
    subprocess.run([str(bin_dir / "dxwh"), "demo-data"], check=True, capture_output=True)
    subprocess.run([str(bin_dir / "dxwh"), "ingest"], check=True, capture_output=True)

    from airflow.dag_processing.dagbag import DagBag

    dag_file = str(REPO / "dags" / "dx_nightly.py")
    t0 = time.perf_counter()
    DagBag(dag_folder=dag_file)
    parse_first = time.perf_counter() - t0
    t0 = time.perf_counter()
    DagBag(dag_folder=dag_file)
    parse_again = time.perf_counter() - t0

    bag = DagBag(dag_folder=str(bench_dags))
    if bag.import_errors:
        print(bag.import_errors, file=sys.stderr)
        return 1
    timings: dict[str, float] = {}
    for dag_id in LABELS:
        dag = bag.dags[dag_id]
        t0 = time.perf_counter()
        run = dag.test()
        timings[dag_id] = time.perf_counter() - t0
        if str(run.state) != "success":
            print(f"{LABELS[dag_id]}: run ended {run.state}", file=sys.stderr)
            return 1

    tasks = {dag_id: len(bag.dags[dag_id].tasks) for dag_id in LABELS}
    single = timings["bench_single_dbt_build"]
    cosmos = timings["bench_cosmos_watcher"]
    load_end = os.getloadavg()
    print("\n=== dbt in Airflow: one dbt build task vs the Cosmos watcher task group ===")
    print(f"load average {load_start[0]:.2f} at start, {load_end[0]:.2f} at end")
    print(
        f"dx_nightly.py parse (manifest, no dbt): {parse_first:.2f} s first in this process, "
        f"{parse_again:.3f} s again"
    )
    for dag_id, label in LABELS.items():
        n = tasks[dag_id]
        print(f"{label + ':':<24} {timings[dag_id]:.1f} s (dag.test(), {n} task{'s' * (n != 1)})")
    print(f"ratio cosmos / one task: {cosmos / single:.2f} (both: plan_night, then dbt build)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
