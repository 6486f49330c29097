"""One night at a time: a second ``dxwh run`` says which run holds the night and exits, and
``dxwh sql`` refuses the build database while a night holds it."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import duckdb
import pytest

from core.db import ensure_landing_tables, session
from core.locks import held_by_me, holder
from core.settings import Settings
from pipeline.cli import main as dxwh

HOLDER = "dxwh run, pid 4242, started 2026-12-07 01:00:00 UTC"


def test_a_second_run_names_the_run_holding_the_night_and_exits(
    data_home: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.monotonic()
    with held_by_me(data_home.night_lock, HOLDER):
        assert dxwh(["run"]) == 75
    err = capsys.readouterr().err
    assert "Một lần chạy khác đang làm việc" in err and HOLDER in err
    assert len(err.strip().splitlines()) == 1
    assert time.monotonic() - started < 120  # it did not run (a night takes minutes)
    assert holder(data_home.night_lock) is None  # released with the holder


def test_the_lock_names_its_holder_to_other_processes(data_home: Settings) -> None:
    with held_by_me(data_home.night_lock, HOLDER):
        probe = subprocess.run(
            [sys.executable, "-c", "import sys; from core.locks import holder; "
             f"print(holder(__import__('pathlib').Path({str(data_home.night_lock)!r})))"],
            capture_output=True, text=True, timeout=120, env=os.environ.copy(),
        )  # fmt: skip
    assert probe.stdout.strip() == HOLDER
    assert oct(data_home.night_lock.stat().st_mode & 0o777) == "0o600"


def test_sql_refuses_the_build_database_while_a_night_holds_it(
    data_home: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    duckdb.connect(str(data_home.build_db)).close()
    with held_by_me(data_home.night_lock, HOLDER):
        code = dxwh(["sql", "--database", str(data_home.build_db), "select 1"])
    assert code == 2
    err = capsys.readouterr().err
    assert "đang được lần chạy hằng đêm sử dụng" in err and HOLDER in err
    assert "Traceback" not in err
    # with no night at work, the operator may look into it
    assert dxwh(["sql", "--database", str(data_home.build_db), "select 41 + 1"]) == 0
    assert "42" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("period", "said"), [("2019", "periods loaded: none"), ("2024H1", "is not a period id")]
)
def test_a_reprocess_of_a_period_never_loaded_stops_at_once_in_one_line(
    data_home: Settings, capsys: pytest.CaptureFixture[str], period: str, said: str
) -> None:
    with session(data_home.build_db) as con:
        ensure_landing_tables(con)
    started = time.monotonic()
    assert dxwh(["run", "--reprocess-period", period]) == 2
    err = capsys.readouterr().err
    assert said in err and "Không xử lý lại được kỳ" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert time.monotonic() - started < 120  # no night was started, nothing was retried
