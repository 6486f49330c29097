"""Suites on the units' submissions as loaded: ``raw.submissions`` and ``raw.staff_rows``.

Ingestion already rejects what the contract forbids; these suites check what reached ``raw``
(a loader change, a hand-edited row or a new template must not slip through unnoticed), plus
rules that span rows, like the supersession key.
"""

from __future__ import annotations

import great_expectations.expectations as gxe
import pandas as pd
from great_expectations.expectations.expectation import Expectation

from core.periods import PERIOD_ID_PATTERN
from core.vocabulary import (
    ASSIGNMENTS,
    EDUCATION_LEVELS,
    FIELDS_OF_STUDY,
    GENDERS,
    MIN_AGE,
    MIN_BIRTH_YEAR,
    TEMPLATE_VERSION,
    UNIT_LEVELS,
    UNIT_TYPES,
)
from expectations.spec import SuiteSpec, critical, warning

PERIOD_PATTERN = PERIOD_ID_PATTERN

# who prepared the form is personal data: it is never read into a validation frame
SUBMISSIONS_QUERY = "select * exclude (prepared_by) from raw.submissions"

# names stay in the database: the frame only says whether a name is there; the period comes
# from the submission so that the birth-year bound follows the period (year of period − 16)
STAFF_ROWS_QUERY = """
select
    staff_rows.* exclude (full_name, extras),
    nullif(trim(staff_rows.full_name), '') is not null as has_full_name,
    submissions.period_id
from raw.staff_rows as staff_rows
left join raw.submissions as submissions
    on staff_rows.sha256 = submissions.sha256
"""


def _with_supersession(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``n_current_candidates``: submissions tied for "current" in the row's unit and period.

    The rule is staging's (latest ``submitted_on``, then latest arrival): exactly one
    submission per unit and period must win it, or which file counts would be arbitrary.
    """
    out = frame.copy()
    if out.empty:
        out["n_current_candidates"] = pd.Series(dtype="int64")
        return out
    key = ["unit_code", "period_id"]
    submitted = pd.to_datetime(out["submitted_on"])
    latest_date = submitted.groupby([out[k] for k in key], dropna=False).transform("max")
    on_latest_date = (submitted == latest_date) | (latest_date.isna() & submitted.isna())
    seq = out["arrival_seq"].where(on_latest_date)
    latest_seq = seq.groupby([out[k] for k in key], dropna=False).transform("max")
    is_candidate = on_latest_date & (out["arrival_seq"] == latest_seq)
    out["n_current_candidates"] = (
        is_candidate.groupby([out[k] for k in key], dropna=False).transform("sum").astype("int64")
    )
    return out


def raw_submissions() -> list[Expectation]:
    required = ("unit_code", "unit_name", "unit_type", "period_id", "has_dx_focal_point")
    return [
        *(
            gxe.ExpectColumnValuesToNotBeNull(column=c, meta=critical(f"{c} is present"))
            for c in required
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="unit_type", value_set=list(UNIT_TYPES), meta=critical("unit type is known")
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="unit_level", value_set=list(UNIT_LEVELS), meta=critical("unit level is known")
        ),
        gxe.ExpectColumnValuesToMatchRegex(
            column="period_id",
            regex=PERIOD_PATTERN,
            meta=critical("period is a year or a half-year (2023, 2023-H1)"),
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="template_version",
            value_set=[TEMPLATE_VERSION],
            meta=critical("template version is supported"),
        ),
        *(
            gxe.ExpectColumnValuesToBeBetween(
                column=c, min_value=0, meta=critical(f"{c} is not negative")
            )
            for c in ("community_teams", "community_team_members", "community_team_members_trained")
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="community_team_members",
            column_B="community_team_members_trained",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            meta=critical("trained community team members ≤ members"),
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="n_current_candidates",
            min_value=1,
            max_value=1,
            meta=critical("one current submission per unit and period"),
        ),
        gxe.ExpectColumnValuesToBeUnique(
            column="arrival_seq", meta=critical("arrival order is unambiguous")
        ),
    ]


def _with_birth_year_bound(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``max_birth_year`` = year of the period − 16 (DESIGN §3.1)."""
    out = frame.copy()
    year = pd.to_numeric(out["period_id"].astype("string").str[:4], errors="coerce")
    out["max_birth_year"] = (year - MIN_AGE).astype("Int64")
    return out


def raw_staff_rows() -> list[Expectation]:
    return [
        gxe.ExpectColumnValuesToBeInSet(
            column="has_full_name", value_set=[True], meta=critical("full name is present")
        ),
        gxe.ExpectColumnValuesToNotBeNull(
            column="person_key", meta=critical("person key is present")
        ),
        gxe.ExpectColumnValuesToNotBeNull(
            column="period_id", meta=critical("every staff row belongs to a loaded submission")
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="assignment", value_set=list(ASSIGNMENTS), meta=critical("assignment is known")
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="education_level",
            value_set=list(EDUCATION_LEVELS),
            meta=critical("education level is known"),
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="field_of_study",
            value_set=list(FIELDS_OF_STUDY),
            meta=warning("field of study is known"),
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="gender", value_set=list(GENDERS), meta=warning("gender is Nam or Nữ")
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="birth_year",
            min_value=MIN_BIRTH_YEAR,
            meta=critical(f"birth year ≥ {MIN_BIRTH_YEAR}"),
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="max_birth_year",
            column_B="birth_year",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            meta=critical(f"birth year ≤ year of the period − {MIN_AGE}"),
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="trainings_in_period",
            min_value=0,
            meta=critical("trainings in the period are not negative"),
        ),
    ]


RAW_SUBMISSIONS = SuiteSpec(
    name="raw.submissions",
    query=SUBMISSIONS_QUERY,
    build=raw_submissions,
    prepare=_with_supersession,
)

RAW_STAFF_ROWS = SuiteSpec(
    name="raw.staff_rows",
    query=STAFF_ROWS_QUERY,
    build=raw_staff_rows,
    prepare=_with_birth_year_bound,
    reads=("raw.staff_rows", "raw.submissions"),
)
