"""Who a unit is (from the registry) and which reporting periods it has open, due or late.

Periods and their due dates come from the province's reporting calendar, the same table the
marts use (``core.reporting_calendar``, the dbt seed ``reporting_calendar.csv``), so the portal
and ``fct_reporting_compliance`` never disagree on which periods exist or what "late" means.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.periods import period_label
from core.reporting_calendar import ReportingCalendar, vn_date
from ingest.registry import ReportingUnit

# deadlines passed longer ago than this are no longer offered (the office can still see them)
RECENT_DAYS = 400
DUE_SOON_DAYS = 15
LEVEL_LABELS = {"province": "Cấp tỉnh", "district": "Cấp huyện", "commune": "Cấp xã"}


@dataclass(frozen=True)
class UnitPeriod:
    period_id: str
    label: str
    start_date: dt.date
    end_date: dt.date
    deadline: dt.date
    state: str  # in_progress | open | due_soon | late | submitted
    state_vi: str


def _state_vi(state: str, deadline: dt.date) -> str:
    due = vn_date(deadline)
    return {
        "in_progress": f"Kỳ đang diễn ra, đang thu báo cáo, hạn {due}",
        "open": f"Đang thu báo cáo, hạn {due}",
        "due_soon": f"Sắp đến hạn {due}",
        "late": "Quá hạn, chưa nộp",
        "submitted": "Đã nộp",
    }[state]


def unit_periods(
    versions: list[ReportingUnit],
    today: dt.date,
    submitted: set[str],
    calendar: ReportingCalendar,
) -> list[UnitPeriod]:
    """The recent periods of the calendar the unit must report for, newest deadline first.

    A period counts once it has begun, if the unit exists at its end (the registry's validity)
    and its deadline is less than about a year past; a period the province does not collect
    (an annual report in a half-yearly year) is never offered. ``submitted`` holds the periods
    for which a report was accepted (whole or in part).
    """
    found: list[UnitPeriod] = []
    for period in calendar.begun(today):
        if (today - period.deadline_date).days > RECENT_DAYS:
            continue
        if not any(v.is_active(period.end_date) for v in versions):
            continue
        if period.period_id in submitted:
            state = "submitted"
        elif period.is_due(today):
            state = "late"
        elif today <= period.end_date:
            state = "in_progress"
        elif (period.deadline_date - today).days <= DUE_SOON_DAYS:
            state = "due_soon"
        else:
            state = "open"
        found.append(
            UnitPeriod(
                period.period_id, period.label_vi, period.start_date, period.end_date,
                period.deadline_date, state, _state_vi(state, period.deadline_date),
            )
        )  # fmt: skip
    return sorted(found, key=lambda p: (p.deadline, p.end_date), reverse=True)


def current_version(versions: list[ReportingUnit], today: dt.date) -> ReportingUnit:
    """The unit as it stands today, else its latest version (a unit merged away)."""
    active = [v for v in versions if v.is_active(today)]
    return (active or sorted(versions, key=lambda v: v.valid_from))[-1]


def template_values(unit: ReportingUnit, period_id: str) -> dict[str, object]:
    """The ``DonVi`` fields the portal pre-fills in the template."""
    return {
        "unit_code": unit.unit_id,
        "unit_name": unit.unit_name,
        "unit_type": unit.unit_type,
        "period": period_label(period_id),
    }
