"""Suite on ``marts.fct_target_progress`` [target × scope × period].

Statuses are re-derived here from the values and the deadline, independently of the model:
``in_progress`` exactly when the period's reports are not all due; ``not_measurable`` when
there is no actual value or no threshold, or nothing to project (no trajectory) before the
deadline; ``achieved`` only when met; ``missed`` only once the deadline is reached, or in any
period of a target with no deadline; ``on_track`` / ``at_risk`` only before the deadline and
only against a trajectory. After the deadline a row carries the verdict at the deadline, and
``status_after_deadline`` agrees with the period's own value.
"""

from __future__ import annotations

import great_expectations.expectations as gxe
import pandas as pd
from great_expectations.expectations.expectation import Expectation

from expectations.spec import SuiteSpec, critical

STATUSES = ("achieved", "on_track", "at_risk", "missed", "not_measurable", "in_progress")

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


def _value(row: pd.Series, column: str) -> object:
    value = row.get(column)
    return None if value is None or pd.isna(value) else value


def status_problem(row: pd.Series) -> str | None:
    """Why the row's status contradicts its values and deadline, or ``None``."""
    status = row["status"]
    actual, threshold, is_met = row["actual_value"], row["threshold_value"], row["is_met"]
    in_progress = bool(_value(row, "is_period_in_progress"))
    if in_progress or status == "in_progress":
        return None if in_progress and status == "in_progress" else "in_progress mismatch"
    deadline, period_end = row["deadline_date"], row["period_end_date"]
    after_deadline = pd.notna(deadline) and pd.notna(period_end) and period_end > deadline
    if after_deadline:
        # the verdict at the deadline stands; the period only says what happened since
        verdict = _value(row, "verdict_status") or "not_measurable"
        if status != verdict:
            return f"{status} after the deadline but the verdict is {verdict}"
        after = _value(row, "status_after_deadline")
        expected = None if pd.isna(is_met) else ("met" if bool(is_met) else "not_met")
        return None if after == expected else f"status_after_deadline {after} but met={is_met}"
    # judged only with both an actual value and a threshold (a baseline may be missing)
    measurable = pd.notna(actual) and pd.notna(threshold)
    if measurable and bool(is_met) != bool(actual >= threshold - MET_TOLERANCE):
        return f"is_met={bool(is_met)} but actual {actual} vs threshold {threshold}"
    met = bool(is_met) if measurable else None
    at_deadline = pd.isna(deadline) or (pd.notna(period_end) and period_end >= deadline)
    trajectory = _value(row, "trajectory_value")
    if status == "not_measurable":
        if not measurable or (met is False and not at_deadline and trajectory is None):
            return None
        return "not_measurable with a value, a threshold and a trajectory"
    if not measurable:
        return f"{status} without a value or a threshold"
    if status == "achieved":
        return None if met else "achieved but not met"
    if met:
        return f"{status} but met"
    if status == "missed":
        return None if at_deadline else "missed before the deadline"
    if at_deadline:
        return f"{status} at or after the deadline"
    if trajectory is None:
        return f"{status} with nothing to project"
    on_line = actual >= trajectory
    if status == "on_track" and not on_line:
        return "on_track below the trajectory"
    if status == "at_risk" and on_line:
        return "at_risk on or above the trajectory"
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
