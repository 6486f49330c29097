"""A night that fails through Airflow (scheduled, or triggered from the UI/API, not only through
``dxwh run``) fails once, in one line, and is on record for ``dxwh status``."""

from __future__ import annotations

from typing import Any

import pytest

from core.settings import Settings
from pipeline.dag_support import prepare_reprocess
from pipeline.status import status_lines


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

    dag_run = dag.test(run_conf={"reprocess_period": "2019"})

    assert str(dag_run.state) == "failed"
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
