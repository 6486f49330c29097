"""What the 2025 staffing targets should conclude on the new Đà Nẵng's whole territory.

The new city's office holds the reports of both predecessors (Quảng Nam 49 and legacy Đà Nẵng 48
until 2025-06-30), so its targets are judged like for like on the successor universe: every unit
of the demo at province scale. The figures come from the files the warehouse must keep (the
manifest's accepted and partly accepted files), never from the plan's inputs:

- ``T2025_DEDICATED_STAFF``: dedicated staff on the structure of each period (province + district
  level before the reorganisation of 1 July 2025, province + commune level after), at the
  target's deadline, against the baseline period's figure restated on both predecessors;
- ``T2025_NO_DOWNSIZING``: total CĐS headcount (every level) against the previous period, and in
  particular across the reorganisation (2025-H1, both predecessors → 2025-H2, the new city).
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path

from core.periods import period_end_date
from core.settings import DBT_PROJECT_DIR
from ingest.registry import NEW_DA_NANG, REORGANISED_ON

PLAN_TARGETS_CSV = DBT_PROJECT_DIR / "seeds" / "plan_targets.csv"
COUNTED = ("accepted", "partial")


def dedicated_levels(period: str) -> tuple[str, ...]:
    """Where dedicated staff are counted in a period: the levels of that period's structure."""
    if period_end_date(period) < REORGANISED_ON:
        return ("province", "district")
    return ("province", "commune")


def _target(target_id: str, path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return next(row for row in csv.DictReader(handle) if row["target_id"] == target_id)


def _count(entry: Mapping[str, object], key: str) -> int:
    value = entry[key]
    assert isinstance(value, int), (key, value)
    return value


def _period_sums(entries: Iterable[Mapping[str, object]]) -> dict[str, dict[str, object]]:
    staff: dict[str, int] = defaultdict(int)
    dedicated: dict[str, int] = defaultdict(int)
    by_province: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for e in entries:
        if e["expected_status"] not in COUNTED:
            continue
        period = str(e["period_id"])
        staff[period] += _count(e, "n_staff")
        if e["unit_level"] in dedicated_levels(period):
            dedicated[period] += _count(e, "n_dedicated")
        era = "legacy" if period_end_date(period) < REORGANISED_ON else "new"
        by_province[period][f"{e['province_id']}:{era}"] += _count(e, "n_staff")
    return {
        period: {
            "n_staff": staff[period],
            "n_dedicated_structure": dedicated[period],
            "dedicated_levels": list(dedicated_levels(period)),
            "n_staff_by_province": dict(sorted(by_province[period].items())),
        }
        for period in sorted(staff, key=period_end_date)
    }


def successor_conclusions(
    entries: Iterable[Mapping[str, object]], plan_targets: Path = PLAN_TARGETS_CSV
) -> dict[str, object]:
    """The successor universe's figures per period and what the two targets should conclude."""
    sums = _period_sums(entries)
    dedicated = _target("T2025_DEDICATED_STAFF", plan_targets)
    baseline_period = dedicated["baseline_period_id"]
    deadline = dt.date.fromisoformat(dedicated["deadline_date"])
    at_deadline = next((p for p in sums if period_end_date(p) == deadline), None)
    result: dict[str, object] = {"province_id": NEW_DA_NANG, "periods": sums}
    if baseline_period in sums and at_deadline is not None:
        baseline = _count(sums[baseline_period], "n_dedicated_structure")
        value = _count(sums[at_deadline], "n_dedicated_structure")
        result["T2025_DEDICATED_STAFF"] = {
            "baseline_period_id": baseline_period,
            "baseline": baseline,
            "period_at_deadline": at_deadline,
            "deadline_date": str(deadline),
            "value_at_deadline": value,
            "is_met": value >= baseline,
        }
    changes = []
    for earlier, later in itertools.pairwise(sums):
        before = _count(sums[earlier], "n_staff")
        after = _count(sums[later], "n_staff")
        changes.append(
            {
                "period_id": later,
                "previous_period_id": earlier,
                "n_staff": after,
                "previous_n_staff": before,
                "across_reorganisation": period_end_date(earlier)
                < REORGANISED_ON
                <= period_end_date(later),
                "is_met": after >= before,
            }
        )
    result["T2025_NO_DOWNSIZING"] = changes
    return result
