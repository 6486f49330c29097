"""A deployment's own reporting calendar (``DXWH_CALENDAR_DIR``), read by dbt's seed and by
Python alike, and nights replayed as of a day (``DXWH_AS_OF``): how the history benchmark
builds twenty half-years without touching the demo province's calendar or figures."""

from __future__ import annotations

import csv
import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest

from core.periods import period_end_date, period_label, period_start_date
from core.reporting_calendar import (
    CALENDAR_COLUMNS,
    CALENDAR_CSV,
    CALENDAR_FILE,
    as_of_today,
    calendar_csv,
    load_calendar,
)
from core.settings import DBT_PROJECT_DIR, as_of_setting
from ingest.demo.generate import generate_demo
from ingest.demo.plan import PERIOD_PLANS, demo_plan
from pipeline.dbt_runner import dbt_executable
from pipeline.nightly import night_date


# How dbt_project/calendar_ten_years was written: twenty half-years due as the demo province's.
def half_year_calendar(first_year: int, last_year: int) -> list[dict[str, str]]:
    """The rows of a calendar of half-year reports from ``first_year`` to ``last_year``, due as
    the demo province's are: a first half by 15 July, a second half by 15 January next year."""
    rows = []
    for year in range(first_year, last_year + 1):
        for half, due, name_en in (
            ("H1", dt.date(year, 7, 15), "First half"),
            ("H2", dt.date(year + 1, 1, 15), "Second half"),
        ):
            period_id = f"{year}-{half}"
            values = (
                period_id,
                half,
                str(year),
                period_start_date(period_id).isoformat(),
                period_end_date(period_id).isoformat(),
                due.isoformat(),
                period_label(period_id),
                f"{name_en} of {year}",
            )
            rows.append(dict(zip(CALENDAR_COLUMNS, values, strict=True)))
    return rows


def write_calendar(directory: Path, rows: list[dict[str, str]]) -> Path:
    """Write ``rows`` as ``<directory>/reporting_calendar.csv``: a deployment's own calendar,
    for ``DXWH_CALENDAR_DIR``. Read back through :func:`load_calendar`, which checks it."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / CALENDAR_FILE
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CALENDAR_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    load_calendar(path)
    return path


TWENTY = [f"{y}-{h}" for y in range(2020, 2030) for h in ("H1", "H2")]


@pytest.fixture
def history_calendar(monkeypatch: pytest.MonkeyPatch) -> Path:
    """The history benchmark's deployment calendar, a directory of the dbt project."""
    monkeypatch.setenv("DXWH_CALENDAR_DIR", "calendar_ten_years")
    return DBT_PROJECT_DIR / "calendar_ten_years"


def test_the_ten_year_calendar_is_twenty_half_years(tmp_path: Path) -> None:
    with (DBT_PROJECT_DIR / "calendar_ten_years" / "reporting_calendar.csv").open(
        encoding="utf-8", newline=""
    ) as handle:
        assert list(csv.DictReader(handle)) == half_year_calendar(2020, 2029)
    # written and read back as a deployment would: load_calendar checks every row
    written = write_calendar(tmp_path / "cal", half_year_calendar(2020, 2029))
    assert [p.period_id for p in load_calendar(written).periods] == TWENTY


@pytest.mark.parametrize("outside", ["/etc/dxwh/calendar", "../calendar", "calendar/../../x"])
def test_a_calendar_outside_the_dbt_project_is_refused(outside: str) -> None:
    """dbt writes a seed's SQL over a seed path outside the project, and Cosmos runs dbt in a
    copy of the project's entries: the calendar must be one of them."""
    with pytest.raises(ValueError, match="dbt overwrites a seed"):
        calendar_csv({"DXWH_CALENDAR_DIR": outside})


def test_the_demo_province_calendar_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DXWH_CALENDAR_DIR", raising=False)
    assert calendar_csv() == CALENDAR_CSV == DBT_PROJECT_DIR / "calendar" / CALENDAR_CSV.name
    periods = [p.period_id for p in load_calendar().periods]
    assert periods[:3] == ["2022", "2023", "2024-H1"] and periods[-1] == "2030-H2"
    # the demo writes the periods of its plans, in their order, as before
    from ingest.demo.generate import demo_periods

    assert demo_periods() == list(PERIOD_PLANS)


def test_half_years_are_due_as_the_demo_province_s_are() -> None:
    """The generated rows for 2024 … 2030 are the demo seed's half-year rows, byte for byte."""
    with CALENDAR_CSV.open(encoding="utf-8", newline="") as handle:
        seeded = [r for r in csv.DictReader(handle) if "-H" in r["period_id"]]
    assert half_year_calendar(2024, 2030) == seeded


def test_python_reads_the_deployment_calendar(history_calendar: Path) -> None:
    assert calendar_csv() == history_calendar / "reporting_calendar.csv"
    calendar = load_calendar()
    assert [p.period_id for p in calendar.periods] == TWENTY
    assert calendar.get("2022") is None  # the demo's annual period is not this deployment's
    from ingest.demo.generate import demo_periods

    assert demo_periods() == TWENTY


def test_dbt_seeds_the_same_calendar(history_calendar: Path, tmp_path: Path) -> None:
    def seed_file(deployment: bool) -> str:
        import os

        env = {**os.environ, "DXWH_BUILD_DB": str(tmp_path / "b.duckdb")}
        if not deployment:
            env.pop("DXWH_CALENDAR_DIR")
        out = subprocess.run(
            [
                dbt_executable(),
                "ls",
                "--resource-type",
                "seed",
                "--select",
                "reporting_calendar",
                "--output",
                "json",
                "--output-keys",
                "original_file_path",
                "--project-dir",
                str(DBT_PROJECT_DIR),
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
                "--target-path",
                str(tmp_path / f"target-{deployment}"),
                "--log-path",
                str(tmp_path / "logs"),
                "--quiet",
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            cwd=tmp_path,
        )
        (line,) = [x for x in out.stdout.splitlines() if x.startswith("{")]
        return str(json.loads(line)["original_file_path"])

    assert DBT_PROJECT_DIR / seed_file(True) == history_calendar / "reporting_calendar.csv"
    assert DBT_PROJECT_DIR / seed_file(False) == CALENDAR_CSV


def test_a_night_replays_the_day_dxwh_as_of_names(monkeypatch: pytest.MonkeyPatch) -> None:
    assert as_of_setting({}) is None
    assert as_of_setting({"DXWH_AS_OF": "2030-01-16"}) == dt.date(2030, 1, 16)
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        as_of_setting({"DXWH_AS_OF": "16/01/2030"})
    monkeypatch.setenv("DXWH_AS_OF", "2030-01-16")
    assert as_of_today() == dt.date(2030, 1, 16)
    logical = dt.datetime(2026, 12, 8, tzinfo=dt.UTC)
    assert night_date({"logical_date": logical}) == dt.date(2030, 1, 16)
    monkeypatch.delenv("DXWH_AS_OF")
    assert night_date({"logical_date": logical}) == dt.date(2026, 12, 8)


def test_the_demo_writes_a_half_year_of_the_deployment_calendar(
    history_calendar: Path, tmp_path: Path
) -> None:
    """A later half-year takes the last plan's figures under its own period id; the new city's
    headcount keeps growing by the posts that plan adds, period after period."""
    plan = demo_plan("2027-H1")
    last = PERIOD_PLANS["2026-H1"]
    assert plan.period_id == "2027-H1"
    assert (plan.n_dedicated, plan.share_trained) == (last.n_dedicated, last.share_trained)
    assert demo_plan("2021-H2").n_added_at_reorganisation is None  # before the reform
    result = generate_demo(
        tmp_path / "inbox", tmp_path / "manifest.json", periods=("2026-H2", "2027-H1"), workers=1
    )
    by_period: dict[str, int] = {}
    for f in result.files:
        if f["expected_status"] == "accepted":
            period = str(f["period_id"])
            by_period[period] = by_period.get(period, 0) + int(str(f["n_staff"]))
    assert set(by_period) == {"2026-H2", "2027-H1"}
    assert last.n_added_at_reorganisation is not None
    assert by_period["2027-H1"] == by_period["2026-H2"] + last.n_added_at_reorganisation
