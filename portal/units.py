"""Who a unit is (from the registry) and which reporting periods it has open, due or late.

Deadlines come from the same table the marts use (``dbt_project/seeds/reporting_deadlines.csv``),
so the portal and ``fct_reporting_compliance`` never disagree on what "late" means.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from core.periods import period_end_date, period_start_date, period_year
from core.settings import DBT_PROJECT_DIR
from ingest.registry import ReportingUnit

DEADLINES_CSV = DBT_PROJECT_DIR / "seeds" / "reporting_deadlines.csv"
# deadlines passed longer ago than this are no longer offered (the office can still see them)
RECENT_DAYS = 400
DUE_SOON_DAYS = 15
LEVEL_LABELS = {"province": "Cấp tỉnh", "district": "Cấp huyện", "commune": "Cấp xã"}


@dataclass(frozen=True)
class Deadline:
    period_type: str  # annual | H1 | H2
    year_offset: int
    month: int
    day: int
    rule_vi: str


def load_deadlines(path: Path = DEADLINES_CSV) -> dict[str, Deadline]:
    """The reporting deadlines by period type, as seeded for dbt."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            r["period_type"]: Deadline(
                r["period_type"],
                int(r["deadline_year_offset"]),
                int(r["deadline_month"]),
                int(r["deadline_day"]),
                r["rule_vi"],
            )
            for r in csv.DictReader(handle)
        }


def period_type(period_id: str) -> str:
    return period_id[5:] if "-" in period_id else "annual"


def deadline_of(period_id: str, deadlines: Mapping[str, Deadline]) -> dt.date:
    rule = deadlines[period_type(period_id)]
    return dt.date(period_year(period_id) + rule.year_offset, rule.month, rule.day)


def period_label(period_id: str) -> str:
    """The period as the template writes it (and the reader parses it back)."""
    year = period_year(period_id)
    return {
        "annual": f"Năm {year}",
        "H1": f"6 tháng đầu năm {year}",
        "H2": f"6 tháng cuối năm {year}",
    }[period_type(period_id)]


@dataclass(frozen=True)
class UnitPeriod:
    period_id: str
    label: str
    start_date: dt.date
    end_date: dt.date
    deadline: dt.date
    state: str  # in_progress | open | due_soon | late | submitted
    state_vi: str


_STATE_VI = {
    "in_progress": "Kỳ đang diễn ra",
    "open": "Đang mở",
    "due_soon": "Sắp đến hạn",
    "late": "Quá hạn, chưa nộp",
    "submitted": "Đã nộp",
}


def unit_periods(
    versions: list[ReportingUnit],
    today: dt.date,
    submitted: set[str],
    deadlines: Mapping[str, Deadline],
) -> list[UnitPeriod]:
    """The recent periods the unit must report for, newest deadline first.

    A period counts once it has begun, if the unit exists at its end (the registry's validity)
    and its deadline is less than about a year past. ``submitted`` holds the periods for which
    a report was accepted (whole or in part).
    """
    found: list[UnitPeriod] = []
    for year in range(today.year - 2, today.year + 1):
        for period_id in (f"{year}", f"{year}-H1", f"{year}-H2"):
            if period_type(period_id) not in deadlines:
                continue
            start, end = period_start_date(period_id), period_end_date(period_id)
            deadline = deadline_of(period_id, deadlines)
            if start > today or (today - deadline).days > RECENT_DAYS:
                continue
            if not any(v.is_active(end) for v in versions):
                continue
            if period_id in submitted:
                state = "submitted"
            elif today > deadline:
                state = "late"
            elif today <= end:
                state = "in_progress"
            elif (deadline - today).days <= DUE_SOON_DAYS:
                state = "due_soon"
            else:
                state = "open"
            found.append(
                UnitPeriod(
                    period_id, period_label(period_id), start, end, deadline, state,
                    _STATE_VI[state],
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
