"""Suite on ``marts.fct_province_scorecard`` [province × period], the page leadership reads.

Its staffing totals must equal the sum of ``marts.fct_staffing`` over the province's units: the
frame joins the scorecard to that sum (both ways, so a province with staff but no scorecard
row fails too).
"""

from __future__ import annotations

import great_expectations.expectations as gxe
import pandas as pd
from great_expectations.expectations.expectation import Expectation

from expectations.spec import SuiteSpec, critical

TOTALS = (
    "n_staff",
    "n_dedicated",
    "n_concurrent",
    "n_it_degree_university_plus",
    "n_trained",
    "n_dx_network_members",
)
SHARES = ("share_units_submitted", "share_units_on_time")
TARGET_STATUS_COUNTS = (
    "n_targets_achieved",
    "n_targets_on_track",
    "n_targets_at_risk",
    "n_targets_missed",
)

# a province's total is unknown (NULL) when any of its units' counts is, as in the mart
_sums = ",\n        ".join(
    f"case when count(*) filter (where {c} is null) = 0 then sum({c}) end as {c}" for c in TOTALS
)
_from_units = ",\n    ".join(
    f"case when staff.province_id is null then 0 else staff.{c} end as {c}_from_units"
    for c in TOTALS
)

SCORECARD_QUERY = f"""
with

staff as (
    select
        province_id,
        period_id,
        {_sums}
    from marts.fct_staffing
    group by province_id, period_id
)

select
    coalesce(scorecard.province_id, staff.province_id) as province_id,
    coalesce(scorecard.period_id, staff.period_id) as period_id,
    scorecard.province_id is not null as is_in_scorecard,
    scorecard.* exclude (province_id, period_id),
    {_from_units}
from marts.fct_province_scorecard as scorecard
full outer join staff
    on scorecard.province_id = staff.province_id
    and scorecard.period_id = staff.period_id
"""


def _with_status_sum(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["n_targets_with_status"] = out[list(TARGET_STATUS_COUNTS)].sum(axis=1, min_count=1)
    return out


def marts_fct_province_scorecard() -> list[Expectation]:
    return [
        gxe.ExpectColumnValuesToBeInSet(
            column="is_in_scorecard",
            value_set=[True],
            meta=critical("every province and period with staffing has a scorecard row"),
        ),
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=["province_id", "period_id"],
            meta=critical("one row per province and period"),
        ),
        *(
            gxe.ExpectColumnPairValuesToBeEqual(
                column_A=c,
                column_B=f"{c}_from_units",
                meta=critical(f"scorecard {c} = sum of fct_staffing.{c}"),
            )
            for c in TOTALS
        ),
        *(
            gxe.ExpectColumnValuesToBeBetween(
                column=c, min_value=0, max_value=1, meta=critical(f"{c} is in [0, 1]")
            )
            for c in SHARES
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="dti_score", min_value=0, max_value=1, meta=critical("dti_score is in [0, 1]")
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="n_units_expected",
            column_B="n_units_submitted",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            meta=critical("units submitted ≤ units expected"),
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="n_targets",
            column_B="n_targets_with_status",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            meta=critical("targets by status ≤ targets"),
        ),
    ]


MARTS_PROVINCE_SCORECARD = SuiteSpec(
    name="marts.fct_province_scorecard",
    query=SCORECARD_QUERY,
    build=marts_fct_province_scorecard,
    prepare=_with_status_sum,
    reads=("marts.fct_province_scorecard", "marts.fct_staffing"),
)
