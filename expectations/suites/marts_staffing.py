"""Suites on the staffing marts: ``marts.fct_staffing`` (unit × period)."""

from __future__ import annotations

import great_expectations.expectations as gxe
import pandas as pd
from great_expectations.expectations.expectation import Expectation

from expectations.spec import SuiteSpec, critical

UNIT_LEVELS = ("province", "district", "commune")

# counts of staff with a property: each is a subset of the unit's staff
STAFF_SUBSETS = (
    "n_trained",
    "n_it_degree_university_plus",
    "n_dx_network_members",
    "n_platform_access",
)
COUNTS = ("n_staff", "n_dedicated", "n_concurrent", *STAFF_SUBSETS)


def _with_staff_sum(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["n_dedicated_plus_concurrent"] = out["n_dedicated"] + out["n_concurrent"]
    return out


def marts_fct_staffing() -> list[Expectation]:
    return [
        gxe.ExpectTableRowCountToBeBetween(
            min_value=1, meta=critical("staffing has at least one unit and period")
        ),
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=["unit_id", "period_id"], meta=critical("one row per unit and period")
        ),
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A="n_dedicated_plus_concurrent",
            column_B="n_staff",
            meta=critical("n_dedicated + n_concurrent = n_staff"),
        ),
        *(
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="n_staff",
                column_B=c,
                or_equal=True,
                # an unknown count (the unit's file lacked the column) is not a broken rule
                ignore_row_if="either_value_is_missing",
                meta=critical(f"{c} ≤ n_staff"),
            )
            for c in STAFF_SUBSETS
        ),
        *(
            gxe.ExpectColumnValuesToBeBetween(
                column=c, min_value=0, meta=critical(f"{c} is not negative")
            )
            for c in COUNTS
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="unit_level", value_set=list(UNIT_LEVELS), meta=critical("unit level is known")
        ),
    ]


MARTS_FCT_STAFFING = SuiteSpec(
    name="marts.fct_staffing",
    query="select * from marts.fct_staffing",
    build=marts_fct_staffing,
    prepare=_with_staff_sum,
)
