"""Expectation suites as code, named ``<layer>.<table>``.

Each suite is a table to read, an optional step that adds derived columns to the DataFrame
(GX validates DataFrames here; see the README), and expectations that each carry a
``severity`` in their meta: ``critical`` blocks publishing, ``warning`` is recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import great_expectations.expectations as gxe
import pandas as pd
from great_expectations.expectations.expectation import Expectation

from ingest.contract import ASSIGNMENTS, EDUCATION_LEVELS, FIELDS_OF_STUDY, GENDERS

CRITICAL = "critical"
WARNING = "warning"


def _meta(severity: str) -> dict[str, str]:
    return {"severity": severity}


@dataclass(frozen=True)
class SuiteSpec:
    name: str  # <layer>.<table>
    query: str
    build: Callable[[], list[Expectation]]
    prepare: Callable[[pd.DataFrame], pd.DataFrame] = field(default=lambda df: df)

    @property
    def table(self) -> str:
        return self.name


def raw_staff_rows() -> list[Expectation]:
    return [
        gxe.ExpectColumnValuesToNotBeNull(column="full_name", meta=_meta(CRITICAL)),
        gxe.ExpectColumnValuesToNotBeNull(column="person_key", meta=_meta(CRITICAL)),
        gxe.ExpectColumnValuesToBeInSet(
            column="assignment", value_set=list(ASSIGNMENTS), meta=_meta(CRITICAL)
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="education_level", value_set=list(EDUCATION_LEVELS), meta=_meta(CRITICAL)
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="field_of_study", value_set=list(FIELDS_OF_STUDY), meta=_meta(WARNING)
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="gender", value_set=list(GENDERS), meta=_meta(WARNING)
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="birth_year", min_value=1940, max_value=2015, meta=_meta(CRITICAL)
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="trainings_in_period", min_value=0, meta=_meta(CRITICAL)
        ),
    ]


def _with_staff_sum(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out["n_dedicated_plus_concurrent"] = out["n_dedicated"] + out["n_concurrent"]
    return out


def marts_fct_staffing() -> list[Expectation]:
    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=1, meta=_meta(CRITICAL)),
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=["unit_id", "period_id"], meta=_meta(CRITICAL)
        ),
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A="n_dedicated_plus_concurrent", column_B="n_staff", meta=_meta(CRITICAL)
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="n_staff", column_B="n_trained", or_equal=True, meta=_meta(CRITICAL)
        ),
        gxe.ExpectColumnValuesToBeBetween(column="n_staff", min_value=0, meta=_meta(CRITICAL)),
        gxe.ExpectColumnValuesToBeInSet(
            column="unit_level",
            value_set=["province", "district", "commune"],
            meta=_meta(CRITICAL),
        ),
    ]


SUITES: tuple[SuiteSpec, ...] = (
    SuiteSpec(
        name="raw.staff_rows",
        query="select * exclude (extras) from raw.staff_rows",
        build=raw_staff_rows,
    ),
    SuiteSpec(
        name="marts.fct_staffing",
        query="select * from marts.fct_staffing",
        build=marts_fct_staffing,
        prepare=_with_staff_sum,
    ),
)
