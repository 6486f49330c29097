"""Periods a unit must report for: the province's reporting calendar, as the marts read it."""

from __future__ import annotations

import datetime as dt

import pytest

from core.periods import period_label
from core.reporting_calendar import load_calendar
from ingest.registry import build_registry
from ingest.values import parse_period
from portal.units import unit_periods

CALENDAR = load_calendar()


@pytest.mark.parametrize(
    ("period_id", "deadline"),
    [("2023", dt.date(2024, 1, 15)), ("2026-H1", dt.date(2026, 7, 15)),
     ("2026-H2", dt.date(2027, 1, 15))],
)  # fmt: skip
def test_deadlines_come_from_the_calendar(period_id: str, deadline: dt.date) -> None:
    period = CALENDAR.get(period_id)
    assert period is not None and period.deadline_date == deadline


@pytest.mark.parametrize("period_id", ["2024", "2025-H1", "2025-H2"])
def test_period_labels_read_back_as_the_same_period(period_id: str) -> None:
    assert parse_period(period_label(period_id)) == period_id


def _versions(unit_id: str) -> list:  # type: ignore[type-arg]
    return [u for u in build_registry() if u.unit_id == unit_id]


@pytest.mark.parametrize(
    ("today", "submitted", "expected"),
    [
        (dt.date(2026, 7, 1), set(), {"2026-H1": "due_soon", "2025-H2": "late"}),
        (dt.date(2026, 6, 20), set(), {"2026-H1": "in_progress"}),
        (dt.date(2026, 7, 1), {"2026-H1"}, {"2026-H1": "submitted"}),
        (dt.date(2026, 7, 16), set(), {"2026-H1": "late", "2026-H2": "in_progress"}),
    ],
)
def test_period_states(today: dt.date, submitted: set[str], expected: dict[str, str]) -> None:
    states = {p.period_id: p.state for p in unit_periods(_versions("48-SKHCN"), today, submitted,
                                                         CALENDAR)}  # fmt: skip
    for period_id, state in expected.items():
        assert states[period_id] == state


def test_only_periods_in_which_the_unit_exists() -> None:
    # Tam Kỳ's People's Committee ended with the district level on 2025-06-30
    periods = {p.period_id for p in unit_periods(_versions("502"), dt.date(2025, 12, 1), set(),
                                                 CALENDAR)}  # fmt: skip
    assert "2025-H1" in periods and "2024-H2" in periods
    assert "2025-H2" not in periods


def test_a_half_yearly_year_offers_no_annual_period() -> None:
    """A unit that sent both halves of 2025 is not told "Năm 2025 – Quá hạn, chưa nộp": the
    province collects 2025 by half-years, so no annual period is offered at all."""
    periods = unit_periods(_versions("48-SKHCN"), dt.date(2026, 12, 7), {"2025-H2", "2026-H1"},
                           CALENDAR)  # fmt: skip
    assert {p.period_id for p in periods} == {"2025-H2", "2026-H1", "2026-H2"}
    assert not [p for p in periods if p.state == "late"]


def test_an_in_progress_period_says_so_with_its_due_date() -> None:
    (period,) = [
        p
        for p in unit_periods(_versions("48-SKHCN"), dt.date(2026, 12, 7), set(), CALENDAR)
        if p.period_id == "2026-H2"
    ]
    assert period.state == "in_progress"
    assert period.state_vi == "Kỳ đang diễn ra, đang thu báo cáo, hạn 15/01/2027"
