"""Whether a night builds: new data, the calendar, and the operator's word."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from core.db import ensure_landing_tables, session
from core.settings import Settings
from pipeline.nightly import step_record_run
from pipeline.quiet_night import NightPlan, calendar_events, plan_night

NIGHT = dt.date(2026, 12, 1)


@pytest.mark.parametrize(
    ("since", "until", "expected"),
    [
        (dt.date(2026, 11, 30), dt.date(2026, 12, 1), []),
        (dt.date(2026, 12, 1), dt.date(2026, 12, 1), []),
        # 2026-H1 reports are due by 15 July, so late from the 16th; H2 begins on 1 July
        (
            dt.date(2026, 6, 30),
            dt.date(2026, 7, 16),
            [
                (dt.date(2026, 7, 1), "period 2026-H2 begins"),
                (dt.date(2026, 7, 16), "reporting deadline for 2026-H1"),
            ],
        ),
        (dt.date(2026, 7, 16), dt.date(2026, 12, 31), []),
    ],
)
def test_calendar_events(
    since: dt.date, until: dt.date, expected: list[tuple[dt.date, str]]
) -> None:
    assert calendar_events(since, until) == expected


def test_the_plan_targets_deadline_and_the_new_year_are_events() -> None:
    found = {what for _, what in calendar_events(dt.date(2025, 12, 30), dt.date(2026, 1, 1))}

    assert {"deadline of T2025_FOCAL_POINT", "period 2026-H1 begins"} <= found
    # the calendar collects half-years from 2024 on: no annual period 2026 begins
    assert "period 2026 begins" not in found


def test_a_passed_due_date_of_the_calendar_is_an_event() -> None:
    """The night after 2026-H2's due date (15/01/2027) builds: the period is no longer in
    progress and the scorecard's headline moves on to it."""
    found = calendar_events(dt.date(2027, 1, 15), dt.date(2027, 1, 16))

    assert found == [(dt.date(2027, 1, 16), "reporting deadline for 2026-H2")]


def _landed(settings: Settings, *files: str) -> None:
    with session(settings.build_db) as con:
        ensure_landing_tables(con)
        for name in files:
            con.execute(
                "insert into audit.file_loads by name select ? as source_file, ? as sha256, "
                "'b1' as batch_id, 'archive/' || ? as archived_path, 1 as arrival_seq, "
                "'accepted' as status, 1 as rows_read, 1 as rows_loaded, 0 as rows_quarantined, "
                "0 as n_errors, 0 as n_warnings, now() as loaded_at",
                [name, name, name],
            )


def _built(settings: Settings, plan: dict[str, object], run_id: str = "night-1") -> None:
    step_record_run(settings, run_id, {"plan": plan})
    settings.published_db.parent.mkdir(parents=True, exist_ok=True)
    settings.published_db.touch()


def _plan(settings: Settings, code: Path, night: dt.date = NIGHT, **kwargs: Any) -> NightPlan:
    return plan_night(settings, night, code_folders=[code], **kwargs)


@pytest.fixture
def code(tmp_path: Path) -> Path:
    folder = tmp_path / "dbt_project"
    (folder / "models").mkdir(parents=True)
    (folder / "models" / "m.sql").write_text("select 1 as x\n", encoding="utf-8")
    return folder


def test_first_night_builds(data_home: Settings, code: Path) -> None:
    _landed(data_home, "a.xlsx")

    plan = _plan(data_home, code)

    assert plan.build
    assert "nothing has been published yet" in plan.reasons


def test_nothing_new_is_a_quiet_night_and_a_new_file_is_not(
    data_home: Settings, code: Path
) -> None:
    _landed(data_home, "a.xlsx")
    _built(data_home, _plan(data_home, code, force=True).to_dict())

    quiet = _plan(data_home, code, NIGHT + dt.timedelta(days=1))
    _landed(data_home, "b.xlsx")
    busy = _plan(data_home, code, NIGHT + dt.timedelta(days=1))

    assert not quiet.build and quiet.reasons == []
    assert quiet.last_build_run == "night-1"
    assert busy.build
    assert busy.reasons == ["new or changed files, registry or code since the last build"]


def test_changed_code_or_a_passed_deadline_builds(data_home: Settings, code: Path) -> None:
    _landed(data_home, "a.xlsx")
    _built(data_home, _plan(data_home, code, dt.date(2026, 7, 10), force=True).to_dict())

    deadline = _plan(data_home, code, dt.date(2026, 7, 16))
    (code / "models" / "m.sql").write_text("select 2 as x\n", encoding="utf-8")
    deployed = _plan(data_home, code, dt.date(2026, 7, 11))

    assert deadline.build
    assert any("reporting deadline for 2026-H1" in c for c in deadline.calendar)
    assert deployed.build and deployed.calendar == []


def test_forced_and_reprocess_nights_always_build(data_home: Settings, code: Path) -> None:
    _landed(data_home, "a.xlsx")
    _built(data_home, _plan(data_home, code, force=True).to_dict())

    assert not _plan(data_home, code).build
    assert _plan(data_home, code, force=True).build
    assert _plan(data_home, code, reprocess_period="2024-H1").build


def test_a_failed_night_is_not_the_last_build(data_home: Settings, code: Path) -> None:
    _landed(data_home, "a.xlsx")
    _built(data_home, _plan(data_home, code, force=True).to_dict())
    _landed(data_home, "b.xlsx")
    # the night that landed b.xlsx closed the gate: b.xlsx was never published
    step_record_run(
        data_home,
        "night-2",
        {"plan": _plan(data_home, code).to_dict()},
        status="gate_closed",
    )

    plan = _plan(data_home, code)

    assert plan.build and plan.last_build_run == "night-1"
