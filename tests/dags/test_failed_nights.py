"""A night that fails through Airflow (scheduled, or triggered from the UI/API, not only through
``dxwh run``) fails once, in one line, and is on record for ``dxwh status``."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from core.settings import Settings
from pipeline.dag_support import prepare_reprocess
from pipeline.status import status_lines
from tests.dags.night_runs import run_with_conf


def test_a_period_never_loaded_fails_in_one_readable_line(data_home: Settings) -> None:
    from airflow.sdk.exceptions import AirflowFailException

    with pytest.raises(AirflowFailException) as failed:
        prepare_reprocess({"reprocess_period": "2019"})

    message = str(failed.value)
    assert "\n" not in message
    assert message.startswith("Không xử lý lại được kỳ '2019'")
    assert "no file of period 2019 was ever loaded" in message


@pytest.mark.slow
def test_a_reprocess_of_an_empty_period_triggered_in_airflow_fails_once_and_is_recorded(
    data_home: Settings, dag_bag: Any
) -> None:
    # the DAGs as the scheduler parses them: retries on, as for a run triggered from the UI
    dag = dag_bag.dags["dx_nightly"]
    assert dag.default_args["retries"] >= 1

    dag_run = run_with_conf(dag, {"reprocess_period": "2019"})

    assert str(dag_run.state) == "failed"
    # the session's DAG is as parsed again: the next night of this process is a normal night
    assert not dag.params["reprocess_period"]
    prepare = next(
        ti for ti in dag_run.get_task_instances() if ti.task_id == "ingest.prepare_reprocess"
    )
    assert str(prepare.state) == "failed"
    assert prepare.try_number == 1, "a period that was never loaded is not retried"
    lines = status_lines(data_home)
    runs = lines[lines.index("last runs:") + 1 :]
    recorded = [line for line in runs if dag_run.run_id in line]
    assert len(recorded) == 1, lines
    assert "failed" in recorded[0] and "ingest.prepare_reprocess" in recorded[0]


class _NightXComs:
    """What a night's tasks left in XCom for ``run_summary``: a quiet night's plan."""

    def xcom_pull(self, task_ids: str, key: str) -> Any:
        if task_ids == "plan_night" and key == "plan":
            return {"build": False, "last_build_run": "night-0", "last_build_as_of": "2026-12-06"}
        return None


def test_the_summary_is_logged_first_through_the_task_log_not_stdout(
    data_home: Settings, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    from pipeline.dag_support import summarize_night
    from pipeline.orchestrate import read_run_summary

    with caplog.at_level(logging.INFO, logger="dxwh.summary"):
        summary = summarize_night(_NightXComs(), "night-1", {"ingest": {"files_seen": 3}})

    lines = [r.getMessage() for r in caplog.records if r.name == "dxwh.summary"]
    assert lines[0] == "Run night-1: a quiet night, nothing to build"
    assert any("files: 0 new of 3 in the inbox" in line for line in lines)
    assert capsys.readouterr().out == ""  # stdout reaches Airflow on its own, late
    assert read_run_summary(data_home, "night-1") == summary
