"""``raw.submissions`` and ``raw.staff_rows``: a passing batch and failing ones."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest

from expectations.suites.raw_submissions import RAW_STAFF_ROWS, RAW_SUBMISSIONS


def _submissions(**overrides: list[object]) -> pd.DataFrame:
    data: dict[str, list[object]] = {
        "sha256": ["a", "b", "c"],
        "unit_code": ["502", "502", "20341"],
        "unit_name": ["UBND thành phố Tam Kỳ", "UBND thành phố Tam Kỳ", "UBND phường An Mỹ"],
        "unit_type": ["UBND cấp huyện", "UBND cấp huyện", "UBND cấp xã"],
        "unit_level": ["district", "district", "commune"],
        "period_id": ["2023", "2023", "2024-H1"],
        "has_dx_focal_point": [True, True, False],
        "community_teams": [None, None, 3],
        "community_team_members": [None, None, 12],
        "community_team_members_trained": [None, None, 12],
        # a corrected file sent later supersedes the first (same unit and period)
        "submitted_on": [dt.date(2024, 1, 5), dt.date(2024, 1, 20), dt.date(2024, 7, 1)],
        "template_version": ["v1", "v1", "v1"],
        "arrival_seq": [1, 2, 3],
    }
    data.update(overrides)
    return pd.DataFrame(data)


def test_raw_submissions_pass_on_a_clean_batch(failures: Any) -> None:
    assert failures(RAW_SUBMISSIONS, _submissions()) == {}


def test_raw_submissions_pass_when_empty(failures: Any) -> None:
    assert failures(RAW_SUBMISSIONS, _submissions().iloc[0:0]) == {}


@pytest.mark.parametrize(
    ("overrides", "broken"),
    [
        ({"unit_name": ["UBND thành phố Tam Kỳ", None, "x"]}, "unit_name is present"),
        ({"unit_type": ["UBND cấp huyện", "UBND cấp huyện", "Xã"]}, "unit type is known"),
        (
            {"period_id": ["2023", "2023", "2024-H3"]},
            "period is a year or a half-year (2023, 2023-H1)",
        ),
        (
            {"community_team_members_trained": [None, None, 13]},
            "trained community team members ≤ members",
        ),
        ({"community_teams": [None, None, -1]}, "community_teams is not negative"),
        # the correction carries the same date and arrival order: no file wins
        (
            {"submitted_on": [dt.date(2024, 1, 5)] * 2 + [None], "arrival_seq": [2, 2, 3]},
            "one current submission per unit and period",
        ),
    ],
)
def test_raw_submissions_fail_on_a_broken_rule(
    failures: Any, overrides: dict[str, list[object]], broken: str
) -> None:
    failed = failures(RAW_SUBMISSIONS, _submissions(**overrides))
    assert broken in failed
    assert failed[broken].severity == "critical"


def _staff_rows(**overrides: list[object]) -> pd.DataFrame:
    data: dict[str, list[object]] = {
        "has_full_name": [True, True],
        "person_key": ["k1", "k2"],
        "period_id": ["2023", "2024-H1"],
        "assignment": ["Chuyên trách", "Kiêm nhiệm"],
        "education_level": ["Đại học", "Thạc sĩ"],
        "field_of_study": ["CNTT", "Khác"],
        "gender": ["Nam", "Nữ"],
        "birth_year": [1990, 2008],
        "trainings_in_period": [0, 2],
    }
    data.update(overrides)
    return pd.DataFrame(data)


def test_raw_staff_rows_pass_on_a_clean_batch(failures: Any) -> None:
    assert failures(RAW_STAFF_ROWS, _staff_rows()) == {}


def test_raw_staff_rows_birth_year_bound_follows_the_period(failures: Any) -> None:
    # born 2008: 16 in 2024 (allowed), only 15 in 2023
    failed = failures(RAW_STAFF_ROWS, _staff_rows(period_id=["2023", "2023"]))
    assert set(failed) == {"birth year ≤ year of the period − 16"}
    assert failed["birth year ≤ year of the period − 16"].unexpected_count == 1


def test_raw_staff_rows_fail_on_enumerations_and_missing_names(failures: Any) -> None:
    failed = failures(
        RAW_STAFF_ROWS,
        _staff_rows(
            assignment=["Chuyên trách", "Bán thời gian"],
            gender=["Nam", "Khác"],
            has_full_name=[True, False],
            birth_year=[1890, 1990],
        ),
    )
    assert {r: o.severity for r, o in failed.items()} == {
        "assignment is known": "critical",
        "gender is Nam or Nữ": "warning",
        "full name is present": "critical",
        "birth year ≥ 1940": "critical",
    }
