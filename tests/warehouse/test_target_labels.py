"""How the scorecard states a target: the verdict at the deadline, never a later "achieved"."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from warehouse.report.labels import target_status_label, verdict_label
from warehouse.report.render import _after_deadline, _latest_targets, _target_status


def _row(**values: object) -> dict[str, object]:
    row: dict[str, object] = {
        "target_id": "T2025_FOCAL_POINT",
        "scope": "successor:48",
        "is_restated": True,
        "period_id": "2026-H1",
        "period_end_date": pd.Timestamp("2026-06-30"),
        "province_basis": 34,
        "is_period_in_progress": False,
        "actual_value": 1.0,
        "is_met": True,
        "is_share": True,
        "deadline_date": pd.Timestamp("2025-12-31"),
        "status": "missed",
        "verdict_status": "missed",
        "verdict_value": 0.972,
        "verdict_period_id": "2025-H2",
        "status_after_deadline": "met",
    }
    row.update(values)
    return row


def test_after_the_deadline_the_verdict_stands_and_the_later_period_is_told_apart() -> None:
    assert _target_status(_row()) == "Không đạt tại 31/12/2025: 97,2%"
    assert _after_deadline(_row()) == "Sau thời hạn: đạt 100,0% kỳ 2026-H1"


def test_the_deadline_period_states_the_verdict_alone() -> None:
    row = _row(period_id="2025-H2", actual_value=0.972, is_met=False, status_after_deadline=None)
    assert _target_status(row) == "Không đạt tại 31/12/2025: 97,2%"
    assert _after_deadline(row) is None


def test_a_headcount_verdict_reads_as_a_number() -> None:
    row = _row(
        is_share=False, verdict_status="achieved", verdict_value=150.0, status_after_deadline=None
    )
    assert _target_status(row) == "Đạt tại 31/12/2025: 150"


@pytest.mark.parametrize(
    ("status", "actual", "is_met", "expected"),
    [
        ("not_measurable", 0.991, False, "Chưa đạt; chưa có kỳ gốc để đánh giá tiến độ"),
        ("not_measurable", 365.0, None, "Chưa có kỳ gốc để so sánh"),
        ("not_measurable", None, None, "Không đo được từ báo cáo"),
        ("in_progress", 0.009, False, "Kỳ đang diễn ra, chưa đánh giá"),
        ("on_track", 0.9, False, "Đúng tiến độ"),
    ],
)
def test_a_status_without_a_verdict(
    status: str, actual: float | None, is_met: bool | None, expected: str
) -> None:
    assert target_status_label(status, actual, is_met) == expected


def test_a_target_with_no_verdict_yet_shows_its_status() -> None:
    row = _row(verdict_status=None, status="not_measurable", is_met=False, actual_value=0.991)
    assert _target_status(row) == "Chưa đạt; chưa có kỳ gốc để đánh giá tiến độ"


def test_verdict_label_without_a_value() -> None:
    assert verdict_label("not_measurable", dt.date(2025, 12, 31), "—") == (
        "Không đo được tại 31/12/2025"
    )


def test_the_headline_is_the_restated_scope_in_its_latest_period_due() -> None:
    targets = pd.DataFrame(
        [
            _row(period_id="2025-H2", period_end_date=pd.Timestamp("2025-12-31")),
            _row(),
            _row(
                period_id="2026-H2",
                period_end_date=pd.Timestamp("2026-12-31"),
                is_period_in_progress=True,
                status="in_progress",
            ),
            *(
                _row(
                    scope=scope,
                    is_restated=False,
                    period_id=period,
                    period_end_date=pd.Timestamp(end),
                    province_basis=63,
                )
                for scope in ("province:49", "province:48")
                for period, end in (("2024-H2", "2024-12-31"), ("2025-H1", "2025-06-30"))
            ),
            # the code 48 names the merged city on the new list: not an earlier province
            _row(scope="province:48", is_restated=False),
        ]
    )

    current, earlier = _latest_targets(targets)

    assert list(zip(current["scope"], current["period_id"], strict=True)) == [
        ("successor:48", "2026-H1")
    ]
    # each province of the old list, with its last period on it
    assert sorted(zip(earlier["scope"], earlier["period_id"], strict=True)) == [
        ("province:48", "2025-H1"),
        ("province:49", "2025-H1"),
    ]
