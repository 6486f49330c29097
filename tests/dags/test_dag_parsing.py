"""Parsing the DAG files does no work: no dbt process, no metadata database.

The scheduler and the DAG processor parse ``dags/`` every few minutes; a parse that runs
``dbt ls`` or needs a migrated metadata database makes a fresh deployment fail to show its DAG.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from core.settings import DAGS_DIR, DBT_PROJECT_DIR
from pipeline.dbt_runner import manifest_is_stale

# Run in a child process so that nothing this test session imported or configured helps:
# an audit hook records every process the parse starts.
COLD_PARSE = """
import json, sys
spawned = []
def hook(event, args):
    if event in ("subprocess.Popen", "os.posix_spawn", "os.exec", "os.system", "os.spawn"):
        spawned.append(repr(args)[:300])
sys.addaudithook(hook)
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1])
dag = bag.dags.get("dx_nightly")
print(json.dumps({
    "import_errors": {str(k): str(v)[-500:] for k, v in bag.import_errors.items()},
    "dags": sorted(bag.dags),
    "tasks": sorted(t.task_id for t in dag.tasks) if dag else [],
    "spawned": spawned,
}))
"""


def test_a_cold_parse_imports_the_dag_without_dbt_or_a_metadata_db(
    tmp_path: Path, dbt_manifest: Path
) -> None:
    airflow_home = tmp_path / "airflow"  # never migrated: no metadata tables at all
    airflow_home.mkdir()
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("AIRFLOW", "DXWH_"))
    }
    env.update(
        AIRFLOW_HOME=str(airflow_home),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__DAGS_FOLDER=str(DAGS_DIR),
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{airflow_home / 'airflow.db'}",
        DXWH_HOME=str(tmp_path / "home"),
    )

    proc = subprocess.run(
        [sys.executable, "-c", COLD_PARSE, str(DAGS_DIR)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )

    assert proc.returncode == 0, proc.stderr[-3000:]
    parsed = json.loads(proc.stdout.strip().splitlines()[-1])
    assert parsed["import_errors"] == {}
    assert {"dx_nightly", "dx_export_on_publish"} <= set(parsed["dags"])
    models = {p.stem for p in (DBT_PROJECT_DIR / "models").rglob("*.sql")}
    assert {f"transform.{m}.run" for m in models} <= set(parsed["tasks"])
    assert not [cmd for cmd in parsed["spawned"] if "dbt" in cmd], parsed["spawned"]


def test_the_manifest_is_stale_when_a_project_file_is_newer(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "models").mkdir(parents=True)
    (project / "target").mkdir()
    model = project / "models" / "m.sql"
    model.write_text("select 1 as x\n", encoding="utf-8")
    manifest = project / "target" / "manifest.json"
    assert manifest_is_stale(manifest, project)  # missing

    manifest.write_text("{}", encoding="utf-8")
    os.utime(model, (1_000_000, 1_000_000))
    assert not manifest_is_stale(manifest, project)

    os.utime(model)  # edited after the manifest was written
    assert manifest_is_stale(manifest, project)
    # dbt's own output in target/ never makes the manifest stale
    os.utime(model, (1_000_000, 1_000_000))
    (project / "target" / "run_results.json").write_text("{}", encoding="utf-8")
    assert not manifest_is_stale(manifest, project)


PARSE_ONCE = """
import sys
from pathlib import Path
from pipeline.dbt_runner import parse_manifest
print("ran" if parse_manifest(Path(sys.argv[1])) else "found")
"""


def test_processes_started_together_run_dbt_parse_once(tmp_path: Path) -> None:
    # parallel test workers, or two commands at once: the second waits and finds the manifest
    manifest = tmp_path / "target" / "manifest.json"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", PARSE_ONCE, str(manifest)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outcomes = []
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err[-2000:]
        outcomes.append(out.strip())

    assert sorted(outcomes) == ["found", "ran"]
    assert json.loads(manifest.read_text(encoding="utf-8"))["nodes"]
