"""The province's reporting calendar: which periods it collects, and when each report is due.

One table, the dbt seed ``reporting_calendar.csv``, says it for everyone: ``dxwh check`` and the
nightly ingest refuse a file for a period it does not hold or that has not begun, the template
and the portal offer only its periods, and dbt builds ``int_periods`` from it. A period is *in
progress* from its first day until its due date (inclusive): reports are still coming in, so
nobody is late or missing yet.

The calendar is the deployment's fact: the seed is read from the directory
``DXWH_CALENDAR_DIR`` names (default ``dbt_project/calendar``, the demo province's), by dbt (a
seed path of ``dbt_project.yml``) and by :func:`load_calendar` alike. ``DXWH_AS_OF`` names the
day a night runs as of instead of today, to replay nights (the history benchmark).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from core.periods import period_end_date, period_label, period_start_date, period_year
from core.settings import DBT_PROJECT_DIR, as_of_setting, calendar_dir

CALENDAR_FILE = "reporting_calendar.csv"
# the demo province's calendar, the default
CALENDAR_CSV = DBT_PROJECT_DIR / "calendar" / CALENDAR_FILE
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def calendar_csv(env: Mapping[str, str] | None = None) -> Path:
    """The deployment's calendar: ``reporting_calendar.csv`` in :func:`calendar_dir`."""
    return calendar_dir(env) / CALENDAR_FILE


def as_of_today() -> dt.date:
    """Today in Asia/Ho_Chi_Minh (or the day ``DXWH_AS_OF`` names): the as-of date when nobody
    gives one."""
    return as_of_setting() or dt.datetime.now(VIETNAM).date()


def vn_date(day: dt.date) -> str:
    """A date as officials write it: 15/01/2027."""
    return day.strftime("%d/%m/%Y")


@dataclass(frozen=True)
class CalendarPeriod:
    """One period the province collects."""

    period_id: str
    period_type: str  # annual | H1 | H2
    period_year: int
    start_date: dt.date
    end_date: dt.date
    deadline_date: dt.date
    label_vi: str  # as the template writes it: "6 tháng đầu năm 2024"
    label_en: str

    def has_begun(self, as_of: dt.date) -> bool:
        return self.start_date <= as_of

    def is_in_progress(self, as_of: dt.date) -> bool:
        """Begun, and its due date not yet passed (the due date itself is still in time)."""
        return self.start_date <= as_of <= self.deadline_date

    def is_due(self, as_of: dt.date) -> bool:
        """Its due date has passed: a unit without a report is now late or missing."""
        return as_of > self.deadline_date


@dataclass(frozen=True)
class PeriodRefusal:
    """Why a file's period cannot be taken, and what a clerk can write instead."""

    code: str  # PERIOD_NOT_BEGUN | PERIOD_NOT_COLLECTED
    params: dict[str, str]


class ReportingCalendar:
    """The periods of the calendar, oldest first."""

    def __init__(self, periods: list[CalendarPeriod]) -> None:
        self.periods = tuple(sorted(periods, key=lambda p: (p.end_date, -p.start_date.toordinal())))
        self._by_id = {p.period_id: p for p in self.periods}

    def get(self, period_id: str) -> CalendarPeriod | None:
        return self._by_id.get(period_id)

    def of_year(self, year: int) -> list[CalendarPeriod]:
        return [p for p in self.periods if p.period_year == year]

    def begun(self, as_of: dt.date) -> list[CalendarPeriod]:
        """Periods that have begun by ``as_of``, oldest first (the ones the warehouse holds)."""
        return [p for p in self.periods if p.has_begun(as_of)]

    def in_progress(self, as_of: dt.date) -> list[CalendarPeriod]:
        return [p for p in self.periods if p.is_in_progress(as_of)]

    def latest_due(self, as_of: dt.date) -> CalendarPeriod | None:
        """The latest period whose due date has passed: what the headline reports on."""
        due = [p for p in self.periods if p.is_due(as_of)]
        return due[-1] if due else None

    def refusal(self, period_id: str, as_of: dt.date) -> PeriodRefusal | None:
        """``None`` when a report for ``period_id`` can be taken on ``as_of``; else why not."""
        period = self.get(period_id)
        label = period.label_vi if period else period_label(period_id)
        if period_start_date(period_id) > as_of:
            return PeriodRefusal(
                "PERIOD_NOT_BEGUN",
                {
                    "period_vi": label,
                    "start": vn_date(period_start_date(period_id)),
                    "end": vn_date(period_end_date(period_id)),
                    **self._open_choices(as_of),
                },
            )
        if period is not None:
            return None
        same_year = self.of_year(period_year(period_id))
        if same_year:
            kinds_vi = _kinds_vi({p.period_type for p in same_year})
            choices_vi = " hoặc ".join(p.label_vi for p in same_year)
            choices_en = " or ".join(p.label_en for p in same_year)
            return PeriodRefusal(
                "PERIOD_NOT_COLLECTED",
                {
                    "period_vi": label,
                    "year": str(period_year(period_id)),
                    "why_vi": f"năm {period_year(period_id)} tỉnh thu {kinds_vi}",
                    "why_en": f"for {period_year(period_id)} the province collects "
                    + _kinds_en({p.period_type for p in same_year}),
                    "choices_vi": choices_vi,
                    "choices_en": choices_en,
                },
            )
        first, last = self.periods[0], self.periods[-1]
        return PeriodRefusal(
            "PERIOD_NOT_COLLECTED",
            {
                "period_vi": label,
                "year": str(period_year(period_id)),
                "why_vi": f"lịch báo cáo của tỉnh bắt đầu từ kỳ {first.label_vi}"
                f" và kết thúc ở kỳ {last.label_vi}",
                "why_en": f"the province's reporting calendar runs from {first.label_en}"
                f" to {last.label_en}",
                **{k: v for k, v in self._open_choices(as_of).items() if k.startswith("choices")},
            },
        )

    def _open_choices(self, as_of: dt.date, n: int = 4) -> dict[str, str]:
        """The latest begun periods, newest first, as a clerk may write them."""
        recent = list(reversed(self.begun(as_of)))[:n]
        vi = [f"{p.label_vi} (hạn {vn_date(p.deadline_date)})" for p in recent]
        en = [f"{p.label_en} (due {p.deadline_date.isoformat()})" for p in recent]
        return {"choices_vi": ", ".join(vi) or "—", "choices_en": ", ".join(en) or "—"}


def _kinds_vi(kinds: set[str]) -> str:
    if kinds == {"annual"}:
        return "báo cáo năm"
    if "annual" not in kinds:
        return "báo cáo 6 tháng"
    return "báo cáo năm và 6 tháng"


def _kinds_en(kinds: set[str]) -> str:
    if kinds == {"annual"}:
        return "annual reports"
    if "annual" not in kinds:
        return "half-year reports"
    return "annual and half-year reports"


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def load_calendar(path: Path | None = None) -> ReportingCalendar:
    """The calendar as seeded for dbt (the deployment's, :func:`calendar_csv`, unless ``path``
    says which); each row's dates must be its period id's own."""
    return _load_calendar(path or calendar_csv())


CALENDAR_COLUMNS = (
    "period_id",
    "period_type",
    "period_year",
    "start_date",
    "end_date",
    "deadline_date",
    "period_vi",
    "period_en",
)


@lru_cache(maxsize=4)
def _load_calendar(path: Path) -> ReportingCalendar:
    periods: list[CalendarPeriod] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            period = CalendarPeriod(
                period_id=row["period_id"],
                period_type=row["period_type"],
                period_year=int(row["period_year"]),
                start_date=_date(row["start_date"]),
                end_date=_date(row["end_date"]),
                deadline_date=_date(row["deadline_date"]),
                label_vi=row["period_vi"],
                label_en=row["period_en"],
            )
            if (
                (period.start_date, period.end_date)
                != (
                    period_start_date(period.period_id),
                    period_end_date(period.period_id),
                )
                or period.deadline_date <= period.end_date
                or period.label_vi != period_label(period.period_id)
            ):
                raise ValueError(f"{path}: dates or label of period {period.period_id} not its own")
            periods.append(period)
    return ReportingCalendar(periods)
