"""GX suites on tiny DataFrames: a passing batch and a failing one."""

from __future__ import annotations

import pandas as pd

from expectations.runner import validate_frame
from expectations.suites import SUITES

FCT = next(s for s in SUITES if s.name == "marts.fct_staffing")
RAW = next(s for s in SUITES if s.name == "raw.staff_rows")


def _staffing(**overrides: list[object]) -> pd.DataFrame:
    data: dict[str, list[object]] = {
        "unit_id": ["502", "503"],
        "period_id": ["2023", "2023"],
        "unit_level": ["district", "district"],
        "n_staff": [3, 2],
        "n_dedicated": [2, 1],
        "n_concurrent": [1, 1],
        "n_trained": [3, 0],
    }
    data.update(overrides)
    return pd.DataFrame(data)


def test_fct_staffing_passes_on_consistent_counts() -> None:
    outcomes = validate_frame(FCT, _staffing())
    assert outcomes and all(o.success for o in outcomes)


def test_fct_staffing_fails_when_parts_do_not_add_up() -> None:
    outcomes = validate_frame(FCT, _staffing(n_concurrent=[1, 5]))
    failed = [(o.expectation, o.severity) for o in outcomes if not o.success]
    assert failed == [("expect_column_pair_values_to_be_equal", "critical")]


def test_raw_staff_rows_flags_bad_enumeration_and_birth_year() -> None:
    frame = pd.DataFrame(
        {
            "full_name": ["A", "B"],
            "person_key": ["k1", "k2"],
            "assignment": ["Chuyên trách", "Bán thời gian"],
            "education_level": ["Đại học", "Đại học"],
            "field_of_study": ["CNTT", "CNTT"],
            "gender": ["Nam", "Nữ"],
            "birth_year": [1990, 1890],
            "trainings_in_period": [0, 1],
        }
    )
    failed = {o.column for o in validate_frame(RAW, frame) if not o.success}
    assert failed == {"assignment", "birth_year"}
