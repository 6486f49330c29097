"""Benchmark: the dbt step as Cosmos' watcher task group vs one plain ``dbt build`` task.

Both run through Airflow (``dag.test()``) on the same ingested demo data, in one process, one
after the other; the script also times parsing the DAG file cold and warm (the dbt graph comes
from the manifest ``make setup`` writes). Run it with ``make bench-cosmos``; it prints the
figures, it asserts nothing.
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
from airflow.sdk import DAG, task

from pipeline.assets import BUILD_DB_POOL
from pipeline.dbt_cosmos import dbt_task_group

with DAG("bench_single_dbt_build", schedule=None):

    @task(pool=BUILD_DB_POOL)
    def dbt_build() -> dict:
        from pipeline.nightly import step_build
        from core.settings import load_settings

        return step_build(load_settings())

    dbt_build()

with DAG("bench_cosmos_watcher", schedule=None):
    dbt_task_group("transform", pool=BUILD_DB_POOL)
"""


def main() -> int:
    scratch = Path(tempfile.mkdtemp(prefix="dxwh-bench-"))
    os.environ.update(
        {
            "DXWH_HOME": str(scratch / "home"),
            "AIRFLOW_HOME": str(scratch / "airflow"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            # dag.test() runs DAGs Airflow parsed from its DAGs folder: the two benchmark DAGs
            "AIRFLOW__CORE__DAGS_FOLDER": str(scratch / "dags"),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{scratch / 'airflow.db'}",
            "AIRFLOW__COSMOS__CACHE_DIR": str(scratch / "cosmos"),
            "DXWH_TASK_RETRIES": "0",
        }
    )
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
    parse_cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    DagBag(dag_folder=dag_file)
    parse_warm = time.perf_counter() - t0

    bag = DagBag(dag_folder=str(bench_dags))
    if bag.import_errors:
        print(bag.import_errors, file=sys.stderr)
        return 1
    single = bag.dags["bench_single_dbt_build"]
    watcher = bag.dags["bench_cosmos_watcher"]
    n_tasks = len(watcher.tasks)

    timings: dict[str, float] = {}
    for name, dag in (("single dbt build task", single), ("cosmos watcher group", watcher)):
        t0 = time.perf_counter()
        run = dag.test()
        timings[name] = time.perf_counter() - t0
        if str(run.state) != "success":
            print(f"{name}: run ended {run.state}", file=sys.stderr)
            return 1

    single_s = timings["single dbt build task"]
    cosmos_s = timings["cosmos watcher group"]
    print("\n=== dbt in Airflow: one dbt build task vs the Cosmos watcher task group ===")
    print(f"dx_nightly.py parse: {parse_cold:.2f} s cold (dbt ls), {parse_warm:.3f} s cached")
    print(f"single dbt build task: {single_s:.1f} s (1 task)")
    print(f"cosmos watcher group:  {cosmos_s:.1f} s ({n_tasks} tasks)")
    print(f"ratio cosmos / single: {cosmos_s / single_s:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
