"""Quiet nights through the real DAG (``dag.test()``): nothing new, nothing built.

Starts from a copy of the session's data home after its first night (``first_night``: the
2023 and 2024-H1 reports of the province and its districts, run through the same DAG).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from core.settings import Settings
from ingest.demo.generate import generate_demo
from pipeline.nightly import format_summary
from pipeline.orchestrate import read_run_summary
from tests.demo_night import FirstNight, copy_home
from warehouse.published_versions import current_version, list_versions

pytestmark = pytest.mark.slow

BUILD_GROUPS = ("transform", "validate", "publish")


def _states(dag_run: Any) -> dict[str, str]:
    return {ti.task_id: str(ti.state) for ti in dag_run.get_task_instances()}


def _generate(settings: Settings, period: str) -> None:
    generate_demo(
        settings.inbox_submissions,
        settings.home / f"manifest-{period}.json",
        seed=11,
        periods=(period,),
        levels=("province",),
    )


def test_a_night_with_nothing_new_skips_the_build_and_keeps_the_version(
    first_night: FirstNight,
    dag_bag_no_retries: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dag = dag_bag_no_retries.dags["dx_nightly"]
    data_home = copy_home(first_night.settings, tmp_path / "home", monkeypatch)
    assert first_night.state == "success"
    first_run_id = first_night.run_id

    first_summary = read_run_summary(data_home, first_run_id)
    assert first_summary is not None
    assert first_summary["plan"]["build"] is True
    # dbt's own counts reach the summary (they read 0 on every night before)
    assert first_summary["build"]["models_ok"] > 0
    assert first_summary["build"]["tests_passed"] > 0
    version = current_version(data_home.published_dir)
    assert version is not None

    quiet = dag.test()

    assert str(quiet.state) == "success"
    states = _states(quiet)
    build_tasks = {t: s for t, s in states.items() if t.split(".")[0] in BUILD_GROUPS}
    assert build_tasks and set(build_tasks.values()) == {"skipped"}, build_tasks
    assert states["report.run_summary"] == "success"
    assert current_version(data_home.published_dir) == version
    assert list_versions(data_home.published_dir) == [version]
    summary = read_run_summary(data_home, quiet.run_id)
    assert summary is not None and summary["plan"]["build"] is False
    assert summary["plan"]["last_build_run"] == first_run_id
    assert "quiet night" in format_summary(summary)
    with duckdb.connect(str(data_home.build_db), read_only=True) as con:
        statuses = con.execute(
            "select run_id, status from audit.pipeline_runs order by finished_at"
        ).fetchall()
    assert statuses == [(first_run_id, "success"), (quiet.run_id, "quiet")]

    _generate(data_home, "2024-H2")  # a new period's files arrive

    busy = dag.test()

    assert str(busy.state) == "success"
    states = _states(busy)
    assert all(s == "success" for t, s in states.items() if t.split(".")[0] in BUILD_GROUPS), states
    new_version = current_version(data_home.published_dir)
    assert new_version is not None and new_version != version
    with duckdb.connect(str(data_home.published_db), read_only=True) as con:
        periods = {p for (p,) in con.execute("select period_id from marts.fct_staffing").fetchall()}
    assert periods == {"2023", "2024-H1", "2024-H2"}
