"""``marts.fct_staffing`` and ``marts.fct_province_scorecard``: passing and failing batches."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from expectations.suites.marts_scorecard import MARTS_PROVINCE_SCORECARD
from expectations.suites.marts_staffing import MARTS_FCT_STAFFING


def _staffing(**overrides: list[object]) -> pd.DataFrame:
    data: dict[str, list[object]] = {
        "unit_id": ["502", "503"],
        "period_id": ["2023", "2023"],
        "unit_level": ["district", "district"],
        "province_id": ["49", "49"],
        "n_staff": [3, 2],
        "n_dedicated": [2, 1],
        "n_concurrent": [1, 1],
        "n_it_degree_university_plus": [2, 1],
        "n_trained": [3, 0],
        "n_dx_network_members": [1, 2],
        "n_platform_access": [1, 2],
    }
    data.update(overrides)
    return pd.DataFrame(data)


def test_fct_staffing_passes_on_consistent_counts(failures: Any) -> None:
    assert failures(MARTS_FCT_STAFFING, _staffing()) == {}


@pytest.mark.parametrize(
    ("overrides", "broken"),
    [
        ({"n_concurrent": [1, 5]}, "n_dedicated + n_concurrent = n_staff"),
        ({"n_trained": [4, 0]}, "n_trained ≤ n_staff"),
        ({"n_platform_access": [1, 3]}, "n_platform_access ≤ n_staff"),
        ({"unit_id": ["502", "502"]}, "one row per unit and period"),
        ({"unit_level": ["district", "ward"]}, "unit level is known"),
    ],
)
def test_fct_staffing_fails_on_a_broken_rule(
    failures: Any, overrides: dict[str, list[object]], broken: str
) -> None:
    failed = failures(MARTS_FCT_STAFFING, _staffing(**overrides))
    assert set(failed) == {broken}
    assert failed[broken].severity == "critical"


def test_fct_staffing_accepts_an_unknown_count(failures: Any) -> None:
    # the unit's file had no training column: unknown, not zero, and no rule is broken
    frame = _staffing(n_trained=[None, 0]).astype({"n_trained": "Int64"})
    assert failures(MARTS_FCT_STAFFING, frame) == {}


def test_fct_staffing_fails_when_empty(failures: Any) -> None:
    assert "staffing has at least one unit and period" in failures(
        MARTS_FCT_STAFFING, _staffing().iloc[0:0]
    )


def _scorecard(**overrides: list[object]) -> pd.DataFrame:
    """The suite's frame: scorecard columns beside the sums of fct_staffing."""
    data: dict[str, list[object]] = {
        "province_id": ["49", "49"],
        "period_id": ["2023", "2024-H1"],
        "is_in_scorecard": [True, True],
        "n_units_expected": [38, 38],
        "n_units_submitted": [38, 30],
        "share_units_submitted": [1.0, 30 / 38],
        "share_units_on_time": [0.9, 0.5],
        "n_targets": [7, 7],
        "n_targets_achieved": [2, 1],
        "n_targets_on_track": [2, 2],
        "n_targets_at_risk": [1, 2],
        "n_targets_missed": [0, 0],
        "dti_score": [0.5808, None],
    }
    totals = {
        "n_staff": [80, 70],
        "n_dedicated": [48, 40],
        "n_concurrent": [32, 30],
        "n_it_degree_university_plus": [60, 50],
        "n_trained": [70, 60],
        "n_dx_network_members": [40, 35],
    }
    for column, values in totals.items():
        data[column] = values
        data[f"{column}_from_units"] = list(values)
    data.update(overrides)
    return pd.DataFrame(data)


def test_province_scorecard_passes_when_totals_match(failures: Any) -> None:
    assert failures(MARTS_PROVINCE_SCORECARD, _scorecard()) == {}


@pytest.mark.parametrize(
    ("overrides", "broken"),
    [
        ({"n_dedicated": [47, 40]}, "scorecard n_dedicated = sum of fct_staffing.n_dedicated"),
        ({"share_units_on_time": [1.2, 0.5]}, "share_units_on_time is in [0, 1]"),
        ({"n_units_submitted": [39, 30]}, "units submitted ≤ units expected"),
        (
            {"is_in_scorecard": [True, False]},
            "every province and period with staffing has a scorecard row",
        ),
        ({"n_targets_missed": [3, 0]}, "targets by status ≤ targets"),
    ],
)
def test_province_scorecard_fails_on_a_broken_rule(
    failures: Any, overrides: dict[str, list[object]], broken: str
) -> None:
    failed = failures(MARTS_PROVINCE_SCORECARD, _scorecard(**overrides))
    assert broken in failed


def test_province_scorecard_query_keeps_an_unknown_total_unknown(failures: Any) -> None:
    # one unit's file lacked the training column: its count and the province's total are NULL,
    # and the suite's own sum over fct_staffing must say NULL too, not the other units' sum
    import duckdb

    from expectations.suites.marts_scorecard import SCORECARD_QUERY, TOTALS

    con = duckdb.connect()
    con.execute("create schema marts")
    known = ", ".join(f"{c} bigint" for c in TOTALS)
    con.execute(
        f"create table marts.fct_staffing (province_id varchar, period_id varchar, {known})"
    )
    con.execute(
        "insert into marts.fct_staffing values "
        "('49', '2023', 3, 2, 1, 2, null, 1), ('49', '2023', 2, 1, 1, 1, 2, 2)"
    )
    frame = _scorecard().iloc[0:1].drop(columns=[f"{c}_from_units" for c in TOTALS])
    frame = frame.assign(
        n_staff=5,
        n_dedicated=3,
        n_concurrent=2,
        n_it_degree_university_plus=3,
        n_trained=None,
        n_dx_network_members=3,
    ).drop(columns=["is_in_scorecard"])
    con.register("scorecard_frame", frame)
    con.execute("create table marts.fct_province_scorecard as select * from scorecard_frame")

    result = con.execute(SCORECARD_QUERY).df()

    assert pd.isna(result.loc[0, "n_trained_from_units"])
    assert result.loc[0, "n_staff_from_units"] == 5
    assert failures(MARTS_PROVINCE_SCORECARD, result) == {}
