"""Suite on ``marts.fct_target_progress`` [target × scope × period].

Statuses are re-derived here from the values and the deadline, independently of the model:
``not_measurable`` exactly when there is no actual value or no threshold to judge by;
``achieved`` exactly when met; ``missed`` only when not met once the deadline has passed;
``on_track`` / ``at_risk`` only when not met before the deadline (or, for a target judged
every period, without one).
"""

from __future__ import annotations

import great_expectations.expectations as gxe
import pandas as pd
from great_expectations.expectations.expectation import Expectation

from expectations.spec import SuiteSpec, critical

STATUSES = ("achieved", "on_track", "at_risk", "missed", "not_measurable")

# DESIGN §4.1: the plan's targets, and those whose metric is a share of units, staff or members
PLAN_TARGETS = (
    "T2025_FOCAL_POINT",
    "T2025_PLATFORM_ACCESS",
    "T2025_DEDICATED_STAFF",
    "T2025_NO_DOWNSIZING",
    "T2025_PROMOTION",
    "T2030_ANNUAL_TRAINING",
    "T2030_NETWORK",
)
SHARE_TARGETS = (
    "T2025_FOCAL_POINT",
    "T2025_PLATFORM_ACCESS",
    "T2030_ANNUAL_TRAINING",
    "T2030_NETWORK",
)
# shares are ratios of counts compared with a threshold such as 1.0
MET_TOLERANCE = 1e-9

TARGETS_QUERY = """
select
    progress.*,
    periods.end_date as period_end_date
from marts.fct_target_progress as progress
left join marts.dim_period as periods
    on progress.period_id = periods.period_id
"""


def status_problem(row: pd.Series) -> str | None:
    """Why the row's status contradicts its values and deadline, or ``None``."""
    status = row["status"]
    actual, threshold, is_met = row["actual_value"], row["threshold_value"], row["is_met"]
    # judged only with both an actual value and a threshold (a baseline may be missing)
    measurable = pd.notna(actual) and pd.notna(threshold)
    if status == "not_measurable":
        return "not_measurable with a value and a threshold" if measurable else None
    if not measurable:
        return f"{status} without a value or a threshold"
    if pd.notna(is_met) and bool(is_met) != bool(actual >= threshold - MET_TOLERANCE):
        return f"is_met={bool(is_met)} but actual {actual} vs threshold {threshold}"
    met = bool(is_met) if pd.notna(is_met) else None
    if status == "achieved":
        return None if met else "achieved but not met"
    if met:
        return f"{status} but met"
    deadline, period_end = row["deadline_date"], row["period_end_date"]
    past_deadline = pd.notna(deadline) and pd.notna(period_end) and period_end >= deadline
    if status == "missed" and not past_deadline:
        return "missed before the deadline"
    if status in ("on_track", "at_risk") and past_deadline:
        return f"{status} after the deadline"
    return None


def _with_derived(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in ("deadline_date", "period_end_date"):
        out[column] = pd.to_datetime(out[column])
    out["status_problem"] = (
        out.apply(status_problem, axis=1) if len(out) else pd.Series(dtype="object")
    )
    is_share = out["target_id"].isin(SHARE_TARGETS)
    out["share_actual_value"] = out["actual_value"].where(is_share)
    out["share_threshold_value"] = out["threshold_value"].where(is_share)
    present = out.groupby("period_id")["target_id"].agg(set) if len(out) else pd.Series()
    missing = {
        period: ", ".join(t for t in PLAN_TARGETS if t not in targets) or None
        for period, targets in present.items()
    }
    out["missing_plan_targets"] = out["period_id"].map(missing)
    return out


def marts_fct_target_progress() -> list[Expectation]:
    return [
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=["target_id", "scope", "period_id"],
            meta=critical("one row per target, scope and period"),
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="status", value_set=list(STATUSES), meta=critical("status is known")
        ),
        gxe.ExpectColumnValuesToBeNull(
            column="status_problem",
            meta=critical("status is consistent with the values and the deadline"),
        ),
        *(
            gxe.ExpectColumnValuesToBeBetween(
                column=c, min_value=0, max_value=1, meta=critical(f"{c} of a share is in [0, 1]")
            )
            for c in ("share_actual_value", "share_threshold_value")
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="gap", min_value=0, meta=critical("gap to the threshold is not negative")
        ),
        gxe.ExpectColumnValuesToBeNull(
            column="missing_plan_targets",
            meta=critical("every plan target has a row in every period"),
        ),
        gxe.ExpectColumnValuesToNotBeNull(
            column="period_end_date", meta=critical("every period is in dim_period")
        ),
    ]


MARTS_FCT_TARGET_PROGRESS = SuiteSpec(
    name="marts.fct_target_progress",
    query=TARGETS_QUERY,
    build=marts_fct_target_progress,
    prepare=_with_derived,
    reads=("marts.fct_target_progress", "marts.dim_period"),
)
