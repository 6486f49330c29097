"""Suite on ``marts.fct_reporting_compliance`` [unit × period].

Which units must report comes from the registry as loaded tonight (``raw.reporting_units``):
a unit is expected in a period when the registry has it valid on the period's last day and
``raw.reporting_exemptions`` does not exempt that version (Hoàng Sa). The
frame is the compliance table fully joined to that expectation, so a unit missing from
compliance (it would silently improve every share) is a row that fails.
"""

from __future__ import annotations

import great_expectations.expectations as gxe
import pandas as pd
from great_expectations.expectations.expectation import Expectation

from expectations.spec import SuiteSpec, critical, warning

COMPLIANCE_QUERY = """
with

periods as (
    select period_id, end_date from marts.dim_period
),

expected as (
    select distinct units.unit_id, periods.period_id
    from raw.reporting_units as units
    inner join periods
        on periods.end_date between units.valid_from
        and coalesce(units.valid_to, date '9999-12-31')
    anti join raw.reporting_exemptions as exempt
        on units.unit_id = exempt.unit_id
        and units.valid_from = exempt.valid_from
),

compliance as (
    select * from marts.fct_reporting_compliance
)

select
    coalesce(compliance.unit_id, expected.unit_id) as unit_id,
    coalesce(compliance.period_id, expected.period_id) as period_id,
    compliance.unit_id is not null as is_in_compliance,
    expected.unit_id is not null as is_expected,
    compliance.is_submitted,
    compliance.is_on_time,
    compliance.n_files_rejected
from compliance
full outer join expected
    on compliance.unit_id = expected.unit_id
    and compliance.period_id = expected.period_id
"""


def _with_timeliness(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    on_time = out["is_on_time"].astype("boolean").fillna(False)
    submitted = out["is_submitted"].astype("boolean").fillna(False)
    problem = pd.Series(None, index=out.index, dtype="object")
    problem[on_time & ~submitted] = "on time without a current submission"
    out["on_time_problem"] = problem
    return out


def marts_fct_reporting_compliance() -> list[Expectation]:
    return [
        gxe.ExpectColumnValuesToBeInSet(
            column="is_in_compliance",
            value_set=[True],
            meta=critical("every unit active in a period appears in compliance"),
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="is_expected",
            value_set=[True],
            meta=warning("compliance lists only units active in the period"),
        ),
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=["unit_id", "period_id"], meta=critical("one row per unit and period")
        ),
        gxe.ExpectColumnValuesToBeNull(
            column="on_time_problem", meta=critical("a unit on time has submitted")
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="n_files_rejected", min_value=0, meta=critical("rejected files ≥ 0")
        ),
    ]


MARTS_FCT_REPORTING_COMPLIANCE = SuiteSpec(
    name="marts.fct_reporting_compliance",
    query=COMPLIANCE_QUERY,
    build=marts_fct_reporting_compliance,
    prepare=_with_timeliness,
    reads=(
        "marts.fct_reporting_compliance",
        "marts.dim_period",
        "raw.reporting_units",
        "raw.reporting_exemptions",
    ),
)
