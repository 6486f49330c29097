"""The province's reporting calendar: which periods exist, when each is due, what is refused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from core.reporting_calendar import CALENDAR_CSV, load_calendar
from ingest.problems import MESSAGES

CALENDAR = load_calendar()
DECEMBER_2026 = dt.date(2026, 12, 7)


def test_the_demo_province_collects_years_then_half_years_to_2030() -> None:
    kinds = {p.period_year: {q.period_type for q in CALENDAR.of_year(p.period_year)}
             for p in CALENDAR.periods}  # fmt: skip
    assert kinds == {2022: {"annual"}, 2023: {"annual"},
                     **{y: {"H1", "H2"} for y in range(2024, 2031)}}  # fmt: skip


@pytest.mark.parametrize(
    ("period_id", "due"),
    [("2023", dt.date(2024, 1, 15)), ("2024-H1", dt.date(2024, 7, 15)),
     ("2026-H2", dt.date(2027, 1, 15))],
)  # fmt: skip
def test_due_dates(period_id: str, due: dt.date) -> None:
    period = CALENDAR.get(period_id)
    assert period is not None and period.deadline_date == due


@pytest.mark.parametrize(
    ("as_of", "in_progress"),
    [(dt.date(2026, 6, 30), True), (dt.date(2027, 1, 15), True), (dt.date(2027, 1, 16), False)],
)
def test_a_period_is_in_progress_until_its_due_date(as_of: dt.date, in_progress: bool) -> None:
    period = CALENDAR.get("2026-H2")
    assert period is not None
    assert period.is_in_progress(as_of) is (in_progress and as_of >= period.start_date)


def test_the_headline_period_is_the_latest_one_due() -> None:
    latest = CALENDAR.latest_due(DECEMBER_2026)
    assert latest is not None and latest.period_id == "2026-H1"
    assert [p.period_id for p in CALENDAR.in_progress(DECEMBER_2026)] == ["2026-H2"]


def _message(period_id: str) -> tuple[str, str, str]:
    refusal = CALENDAR.refusal(period_id, DECEMBER_2026)
    assert refusal is not None, period_id
    message, params = MESSAGES[refusal.code], refusal.params
    return refusal.code, message.vi.format(**params), message.fix_vi.format(**params)


def test_an_annual_report_in_a_half_yearly_year_names_the_halves() -> None:
    code, message, fix = _message("2024")
    assert code == "PERIOD_NOT_COLLECTED"
    assert "Năm 2024" in message and "năm 2024 tỉnh thu báo cáo 6 tháng" in message
    assert fix.endswith("6 tháng đầu năm 2024 hoặc 6 tháng cuối năm 2024.")


def test_a_period_not_begun_is_refused_with_the_periods_being_collected() -> None:
    code, message, fix = _message("2099-H1")
    assert code == "PERIOD_NOT_BEGUN"
    assert "chưa bắt đầu" in message and "01/01/2099" in message
    assert "6 tháng cuối năm 2026 (hạn 15/01/2027)" in fix


def test_a_year_outside_the_calendar_is_refused() -> None:
    code, message, _ = _message("1999")
    assert code == "PERIOD_NOT_COLLECTED" and "Năm 2022" in message


@pytest.mark.parametrize("period_id", ["2023", "2024-H2", "2026-H2"])
def test_periods_of_the_calendar_that_have_begun_are_taken(period_id: str) -> None:
    assert CALENDAR.refusal(period_id, DECEMBER_2026) is None


def test_a_row_whose_dates_are_not_its_periods_is_refused(tmp_path: Path) -> None:
    lines = CALENDAR_CSV.read_text(encoding="utf-8").splitlines()
    wrong = [lines[0], lines[1].replace("2022-12-31", "2022-06-30")]
    path = tmp_path / "calendar.csv"
    path.write_text("\n".join(wrong) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="period 2022"):
        load_calendar(path)
