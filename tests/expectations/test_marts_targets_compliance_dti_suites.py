"""Target progress, reporting compliance and DTI score marts: passing and failing batches."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest

from expectations.suites.marts_compliance import MARTS_FCT_REPORTING_COMPLIANCE
from expectations.suites.marts_dti import MARTS_FCT_DTI_SCORES
from expectations.suites.marts_targets import MARTS_FCT_TARGET_PROGRESS, PLAN_TARGETS

END_2023 = dt.date(2023, 12, 31)
DEADLINES = {
    "T2025_FOCAL_POINT": dt.date(2025, 12, 31),
    "T2025_PLATFORM_ACCESS": dt.date(2025, 12, 31),
    "T2025_DEDICATED_STAFF": dt.date(2025, 12, 31),
    "T2025_NO_DOWNSIZING": None,
    "T2025_PROMOTION": dt.date(2025, 12, 31),
    "T2030_ANNUAL_TRAINING": dt.date(2030, 12, 31),
    "T2030_NETWORK": dt.date(2030, 12, 31),
}
# target: (actual, threshold, is_met, gap, trajectory, status) for the 2023 period
ROWS_2023 = {
    "T2025_FOCAL_POINT": (0.85, 1.0, False, 0.15, 0.9, "at_risk"),
    "T2025_PLATFORM_ACCESS": (1.0, 1.0, True, 0.0, 0.8, "achieved"),
    "T2025_DEDICATED_STAFF": (48.0, 48.0, True, 0.0, 48.0, "achieved"),
    "T2025_NO_DOWNSIZING": (80.0, None, None, None, None, "not_measurable"),
    "T2025_PROMOTION": (None, None, None, None, None, "not_measurable"),
    "T2030_ANNUAL_TRAINING": (0.9, 1.0, False, 0.1, 0.85, "on_track"),
    "T2030_NETWORK": (0.7, 1.0, False, 0.3, 0.8, "at_risk"),
}


def _targets(changes: dict[str, dict[str, object]] | None = None) -> pd.DataFrame:
    rows = []
    for target_id in PLAN_TARGETS:
        actual, threshold, is_met, gap, trajectory, status = ROWS_2023[target_id]
        row = {
            "target_id": target_id,
            "scope": "province:49",
            "period_id": "2023",
            "actual_value": actual,
            "threshold_value": threshold,
            "is_met": is_met,
            "gap": gap,
            "deadline_date": DEADLINES[target_id],
            "trajectory_value": trajectory,
            "is_period_in_progress": False,
            "verdict_status": None,
            "status_after_deadline": None,
            "status": status,
            "period_end_date": END_2023,
        }
        row.update((changes or {}).get(target_id, {}))
        rows.append(row)
    return pd.DataFrame(rows)


def test_fct_target_progress_passes_on_consistent_statuses(failures: Any) -> None:
    assert failures(MARTS_FCT_TARGET_PROGRESS, _targets()) == {}


@pytest.mark.parametrize(
    ("changes", "broken"),
    [
        (
            {"T2030_NETWORK": {"status": "achieved"}},
            "status is consistent with the values and the deadline",
        ),
        (
            # the deadline is 2025-12-31: a 2023 shortfall is not yet missed
            {"T2025_FOCAL_POINT": {"status": "missed"}},
            "status is consistent with the values and the deadline",
        ),
        (
            {"T2025_PLATFORM_ACCESS": {"is_met": False, "status": "at_risk", "gap": 0.0}},
            "status is consistent with the values and the deadline",
        ),
        (
            {"T2030_ANNUAL_TRAINING": {"actual_value": 1.3}},
            "share_actual_value of a share is in [0, 1]",
        ),
        (
            # nothing to project (no baseline): not at risk
            {"T2030_NETWORK": {"trajectory_value": None}},
            "status is consistent with the values and the deadline",
        ),
        (
            # a period whose reports are not all due is in progress, never at risk
            {"T2030_NETWORK": {"is_period_in_progress": True}},
            "status is consistent with the values and the deadline",
        ),
        (
            # after the deadline the verdict stands: a later 100% is not "achieved"
            {
                "T2025_FOCAL_POINT": {
                    "period_end_date": dt.date(2026, 6, 30),
                    "actual_value": 1.0,
                    "is_met": True,
                    "gap": 0.0,
                    "verdict_status": "missed",
                    "status_after_deadline": "met",
                    "status": "achieved",
                }
            },
            "status is consistent with the values and the deadline",
        ),
        ({"T2030_NETWORK": {"gap": -0.3}}, "gap to the threshold is not negative"),
        ({"T2025_PROMOTION": {"status": "unknown"}}, "status is known"),
        (
            {"T2025_PROMOTION": {"target_id": "T2030_NETWORK"}},
            "one row per target, scope and period",
        ),
    ],
)
def test_fct_target_progress_fails_on_a_broken_rule(
    failures: Any, changes: dict[str, dict[str, object]], broken: str
) -> None:
    failed = failures(MARTS_FCT_TARGET_PROGRESS, _targets(changes))
    assert broken in failed
    assert failed[broken].severity == "critical"


def test_fct_target_progress_missed_after_the_deadline_is_consistent(failures: Any) -> None:
    late = _targets(
        {"T2025_FOCAL_POINT": {"status": "missed", "period_end_date": dt.date(2025, 12, 31)}}
    )
    assert "status is consistent with the values and the deadline" not in failures(
        MARTS_FCT_TARGET_PROGRESS, late
    )


def test_fct_target_progress_verdict_after_the_deadline_is_consistent(failures: Any) -> None:
    after = _targets(
        {
            "T2025_FOCAL_POINT": {
                "period_end_date": dt.date(2026, 6, 30),
                "actual_value": 1.0,
                "is_met": True,
                "gap": 0.0,
                "verdict_status": "missed",
                "status_after_deadline": "met",
                "status": "missed",
            },
            "T2030_NETWORK": {"is_period_in_progress": True, "status": "in_progress"},
        }
    )
    assert "status is consistent with the values and the deadline" not in failures(
        MARTS_FCT_TARGET_PROGRESS, after
    )


def test_fct_target_progress_fails_when_a_plan_target_is_missing(failures: Any) -> None:
    frame = _targets().query("target_id != 'T2030_NETWORK'")
    failed = failures(MARTS_FCT_TARGET_PROGRESS, frame)
    assert set(failed) == {"every plan target has a row in every period"}
    assert "T2030_NETWORK" in str(
        failed["every plan target has a row in every period"].observed_value
    )


def _compliance(**overrides: list[object]) -> pd.DataFrame:
    data: dict[str, list[object]] = {
        "unit_id": ["502", "503", "504"],
        "period_id": ["2023", "2023", "2023"],
        "is_in_compliance": [True, True, True],
        "is_expected": [True, True, True],
        "is_submitted": [True, True, False],
        "is_on_time": [True, False, False],
        "n_files_rejected": [0, 1, 2],
    }
    data.update(overrides)
    return pd.DataFrame(data)


def test_fct_reporting_compliance_passes_when_every_active_unit_is_listed(
    failures: Any,
) -> None:
    assert failures(MARTS_FCT_REPORTING_COMPLIANCE, _compliance()) == {}


@pytest.mark.parametrize(
    ("overrides", "broken", "severity"),
    [
        # a unit of the registry with no compliance row (the full join's missing side)
        (
            {
                "is_in_compliance": [True, True, False],
                "is_submitted": [True, True, None],
                "is_on_time": [True, False, None],
                "n_files_rejected": [0, 1, None],
            },
            "every unit active in a period appears in compliance",
            "critical",
        ),
        (
            {"is_expected": [True, False, True]},
            "compliance lists only units active in the period",
            "warning",
        ),
        ({"is_on_time": [True, False, True]}, "a unit on time has submitted", "critical"),
    ],
)
def test_fct_reporting_compliance_fails_on_a_broken_rule(
    failures: Any, overrides: dict[str, list[object]], broken: str, severity: str
) -> None:
    failed = failures(MARTS_FCT_REPORTING_COMPLIANCE, _compliance(**overrides))
    assert set(failed) == {broken}
    assert failed[broken].severity == severity


def _dti(**overrides: list[object]) -> pd.DataFrame:
    data: dict[str, list[object]] = {
        "year": [2022, 2022, 2022, 2024],
        "basis": [63, 63, 63, 34],
        "province_id": ["48", "49", "79", "48"],
        "component": ["dti", "dti", "dti", "dti"],
        "score": [0.8002, 0.5808, 0.7163, 0.7069],
        "rank": [1, 31, 2, None],
        "n_ranked": [63, 63, 63, None],
        "is_recomputed": [False, False, False, True],
        "value_source": ["published", "published", "published", "warehouse_estimate"],
        "formula_residual": [0.000025, None, -0.000055, None],
    }
    data.update(overrides)
    return pd.DataFrame(data)


def test_fct_dti_scores_pass_on_published_and_recomputed_values(failures: Any) -> None:
    assert failures(MARTS_FCT_DTI_SCORES, _dti()) == {}


@pytest.mark.parametrize(
    ("overrides", "broken"),
    [
        (
            {"rank": [1, 2, 31, None]},
            "ranks are consistent with scores within a year, basis and component",
        ),
        ({"score": [0.8002, 58.08, 0.7163, 0.7069]}, "score is on the 0–1 scale"),
        ({"n_ranked": [63, 63, 63, 40]}, "provinces ranked ≤ basis size"),
        (
            {"formula_residual": [0.02, None, 0.0, None]},
            "QĐ 922 formula residual < 0.001 (2021–2023): no misread index",
        ),
        ({"component": ["dti", "dti", "dti", "chi_so_la"]}, "component is known"),
        ({"rank": [1, 31, 2, 17]}, "the warehouse's estimates carry no rank"),
        (
            {"component": ["dti", "dti", "dti", "chinh_quyen_so"]},
            "pillars are never averaged into an estimate",
        ),
        (
            {"value_source": ["published", "published", "published", "recomputed"]},
            "a value is published or the warehouse's estimate",
        ),
    ],
)
def test_fct_dti_scores_fail_on_a_broken_rule(
    failures: Any, overrides: dict[str, list[object]], broken: str
) -> None:
    assert broken in failures(MARTS_FCT_DTI_SCORES, _dti(**overrides))
