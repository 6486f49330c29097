"""Backfill of one past period: triggering dx_nightly with ``reprocess_period`` re-reads that
period's files and rebuilds the marts; other periods are left as they were."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from core.settings import Settings
from pipeline.reprocess import UnknownPeriod, check_period_id, forget_period
from tests.dags.night_runs import run_with_conf
from tests.demo_night import FirstNight, copy_home

STAFF_BY_PERIOD = (
    "select period_id, sum(n_staff) as staff, sum(n_dedicated) as dedicated "
    "from marts.fct_staffing group by period_id order by period_id"
)


def _staff(db: Path) -> dict[str, tuple[int, int]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {p: (int(s), int(d)) for p, s, d in con.execute(STAFF_BY_PERIOD).fetchall()}


def _damage_one_unit(db: Path, period: str) -> str:
    """Simulate a damaged load: drop one accepted file's staff rows for ``period``."""
    with duckdb.connect(str(db)) as con:
        row = con.execute(
            "select sha256 from audit.file_loads where period_id = ? and rows_loaded > 0 "
            "order by source_file limit 1",
            [period],
        ).fetchone()
        assert row is not None
        deleted = con.execute("delete from raw.staff_rows where sha256 = ?", [row[0]]).fetchone()
    assert deleted is not None and deleted[0] > 0
    return str(row[0])


@pytest.mark.parametrize("period", ["2024-1", "24-H1", "2024-H3", ""])
def test_malformed_period_is_refused(period: str) -> None:
    with pytest.raises(UnknownPeriod, match="not a period id"):
        check_period_id(period)


def test_unknown_period_names_the_loaded_ones(demo_warehouse: Settings, tmp_path: Path) -> None:
    home = tmp_path / "home"
    shutil.copytree(demo_warehouse.home, home)
    settings = Settings(home=home, pseudonym_key=demo_warehouse.pseudonym_key)
    with pytest.raises(UnknownPeriod, match=r"no file of period 2019.*2023"):
        forget_period(settings, "2019")


@pytest.mark.slow
def test_reprocess_one_period_through_the_dag(
    first_night: FirstNight,
    dag_bag_no_retries: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On a copy of the session's data home after its first night (two periods loaded)."""
    assert first_night.state == "success"
    settings = copy_home(first_night.settings, tmp_path / "home", monkeypatch)
    before = _staff(settings.build_db)
    assert {"2023", "2024-H1"} <= set(before)
    # a damaged load in two periods; an inbox file of the re-processed period has been removed
    _damage_one_unit(settings.build_db, "2024-H1")
    damaged_2023 = _damage_one_unit(settings.build_db, "2023")
    removed = next((settings.inbox_submissions / "2024-H1").glob("*"))
    removed.unlink()

    # the session's parsed DAG: a reprocess run builds even with nothing new in the inbox
    dag = dag_bag_no_retries.dags["dx_nightly"]
    dag_run = run_with_conf(dag, {"reprocess_period": "2024-H1"})

    assert str(dag_run.state) == "success"
    after = _staff(settings.build_db)
    assert after["2024-H1"] == before["2024-H1"], "the re-processed period is whole again"
    assert removed.exists(), "the removed file was not restored from the archive"
    assert _staff(settings.published_db) == after
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        batches = dict(
            con.execute(
                "select period_id, list(distinct batch_id) from audit.file_loads "
                "where period_id in ('2023', '2024-H1') group by period_id"
            ).fetchall()
        )
        untouched = con.execute(
            "select count(*) from raw.staff_rows where sha256 = ?", [damaged_2023]
        ).fetchone()
    assert batches["2024-H1"] == [dag_run.run_id]
    assert dag_run.run_id not in batches["2023"]
    assert untouched == (0,), "another period's file was re-read too"
