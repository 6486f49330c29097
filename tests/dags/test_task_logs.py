"""A ``dxwh run`` night's task logs are readable in the Airflow UI: each task's lines are
where Airflow's own log reader looks, not only in the night's log file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from core.settings import Settings
from pipeline.orchestrate import write_task_logs
from pipeline.run_output import output_to
from tests.dags.night_runs import run_with_conf


@pytest.mark.slow
def test_each_task_of_a_night_has_the_log_the_ui_reads(
    data_home: Settings, dag_bag_no_retries: Any, tmp_path: Path
) -> None:
    from airflow.utils.log.log_reader import TaskLogReader

    run_log = tmp_path / "night.log"
    with output_to(run_log):  # as `dxwh run` does: Airflow's lines go to the night's log
        # a short night: fails on its first task
        dag = dag_bag_no_retries.dags["dx_nightly"]
        dag_run = run_with_conf(dag, {"reprocess_period": "2019"})

    written = write_task_logs(dag_run.run_id, run_log)

    assert written, run_log.read_text()[-2000:]
    prepare = next(
        ti for ti in dag_run.get_task_instances() if ti.task_id == "ingest.prepare_reprocess"
    )
    stream, _ = TaskLogReader().read_log_chunks(prepare, prepare.try_number, {"end_of_log": False})
    text = "\n".join(str(getattr(m, "event", m)) for m in stream)
    assert "Log file not found" not in text
    assert "no file of period 2019 was ever loaded" in text
    assert "task_id=ingest.submissions" not in text  # only this task's lines
