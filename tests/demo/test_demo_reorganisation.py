"""The demo holds both predecessors of the new Đà Nẵng and follows the 2025 reorganisation: who
files, when, and what the like-for-like targets should conclude (from the generator's files)."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from core.periods import period_end_date
from core.reporting_calendar import load_calendar
from ingest.demo.generate import DEFAULT_MESS_SHARE, generate_demo
from ingest.demo.mess import available_variants
from ingest.demo.plan import OLD_DA_NANG_PLANS, PERIOD_PLANS, PUBLISHED_2023
from ingest.registry import REORGANISED_ON, build_registry

COUNTED = ("accepted", "partial")
VARIANT_NAMES = {v.name for v in available_variants()}


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("demo-reorganisation")
    generate_demo(root / "inbox", root / "manifest.json", mess_share=DEFAULT_MESS_SHARE, workers=2)
    return json.loads((root / "manifest.json").read_text("utf-8"))


def _counted(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in manifest["files"] if f["expected_status"] in COUNTED]


def test_legacy_da_nang_reports_every_period_before_the_reorganisation(
    manifest: dict[str, Any],
) -> None:
    units = build_registry()
    by_period: dict[str, set[str]] = defaultdict(set)
    for f in _counted(manifest):
        if f["province_id"] == "48" and period_end_date(f["period_id"]) < REORGANISED_ON:
            by_period[f["period_id"]].add(f["unit_id"])
    assert sorted(by_period) == sorted(OLD_DA_NANG_PLANS)
    for period, reported in by_period.items():
        on = period_end_date(period)
        expected = {
            u.unit_id
            for u in units
            if u.province_code == "48" and u.is_active(on) and u.unit_id != "498"
        }
        assert reported == expected, period


def test_quang_nam_alone_keeps_its_published_2023_figures(manifest: dict[str, Any]) -> None:
    sums: Counter[str] = Counter()
    for f in _counted(manifest):
        if (
            f["province_id"] == "49"
            and f["period_id"] == PUBLISHED_2023["period_id"]
            and f["unit_level"] in PUBLISHED_2023["levels"]
        ):
            for key in ("n_staff", "n_dedicated", "n_concurrent"):
                sums[key] += f[key]
    assert dict(sums) == {
        key: PUBLISHED_2023[key] for key in ("n_staff", "n_dedicated", "n_concurrent")
    }


def test_hoang_sa_sends_nothing(manifest: dict[str, Any]) -> None:
    hoang_sa = {u.unit_id for u in build_registry() if "Hoàng Sa" in u.unit_name}
    assert hoang_sa == {"498", "20333"}
    assert not [f for f in manifest["files"] if f["unit_id"] in hoang_sa]
    assert sorted(manifest["not_reporting"]) == sorted(hoang_sa)


def test_a_ceased_units_report_is_filed_after_it_ceased_and_by_the_deadline(
    manifest: dict[str, Any],
) -> None:
    """docs/intake.md, who files: the filing successor sends it, never late."""
    # (unit, last day) of every registry version that ends
    ends = {(u.unit_id, u.valid_to) for u in build_registry() if u.valid_to is not None}
    calendar = load_calendar()
    ceased = [
        f
        for f in manifest["files"]
        if (f["unit_id"], period_end_date(f["period_id"])) in ends
        and f["expected_status"] != "rejected"  # a mistyped code names no unit
    ]
    # the districts and communes abolished on 1 July 2025, and Nông Sơn on 1 January 2025
    assert {f["period_id"] for f in ceased} == {"2024-H2", "2025-H1"}
    assert len({f["unit_id"] for f in ceased if f["period_id"] == "2025-H1"}) > 300
    outside = []
    for f in ceased:
        period = calendar.get(f["period_id"])
        assert period is not None
        if not period.end_date < dt.date.fromisoformat(f["submitted_on"]) <= period.deadline_date:
            outside.append(f)
    assert outside == []
    # corrections too: a ceased unit's corrected file is dated by the deadline
    assert any(f["variant"] == "corrected_later" for f in ceased)


def test_mistakes_come_from_both_predecessors_at_the_same_rate(manifest: dict[str, Any]) -> None:
    kinds = ("duplicate", "superseded", "rejected", "partial")
    for province in ("49", "48"):
        files = [
            f
            for f in manifest["files"]
            if f["province_id"] == province and period_end_date(f["period_id"]) < REORGANISED_ON
        ]
        statuses = Counter(f["expected_status"] for f in files)
        assert all(statuses[k] > 0 for k in kinds), (province, statuses)
        # one report per unit and period, 10% of them laid out as a real file departs
        reports = [f for f in files if f["expected_status"] in COUNTED]
        varied = [f for f in reports if f["variant"] in VARIANT_NAMES]
        assert len(varied) / len(reports) == pytest.approx(DEFAULT_MESS_SHARE, abs=0.01)


def test_the_successor_conclusions_follow_the_files(manifest: dict[str, Any]) -> None:
    successor = manifest["successor"]
    staff: Counter[str] = Counter()
    dedicated: Counter[str] = Counter()
    for f in _counted(manifest):
        staff[f["period_id"]] += f["n_staff"]
        after = period_end_date(f["period_id"]) >= REORGANISED_ON
        if f["unit_level"] in (("province", "commune") if after else ("province", "district")):
            dedicated[f["period_id"]] += f["n_dedicated"]
    assert {p: v["n_staff"] for p, v in successor["periods"].items()} == dict(staff)
    restated = successor["T2025_DEDICATED_STAFF"]
    assert restated["baseline"] == dedicated["2023"]
    assert restated["baseline"] == PERIOD_PLANS["2023"].n_dedicated + (
        OLD_DA_NANG_PLANS["2023"].n_dedicated
    )
    assert restated["value_at_deadline"] == dedicated["2025-H2"]
    assert restated["is_met"] is (dedicated["2025-H2"] >= dedicated["2023"])
    steps = {s["period_id"]: s for s in successor["T2025_NO_DOWNSIZING"]}
    across = [s for s in steps.values() if s["across_reorganisation"]]
    assert [s["period_id"] for s in across] == ["2025-H2"]
    # the reorganisation itself cuts no post; the March 2025 department mergers did. Exactly
    # so before the mess: each impossible-values file keeps one more person (birth year unknown)
    clean: Counter[str] = Counter(staff)
    for f in _counted(manifest):
        if f["variant"] == "impossible_values":
            clean[f["period_id"]] -= f["n_unknown"].get("birth_year", 0)
    added = PERIOD_PLANS["2025-H2"].n_added_at_reorganisation
    assert clean["2025-H2"] == clean["2025-H1"] + added
    assert across[0]["is_met"] is True
    assert steps["2025-H1"]["is_met"] is False
    assert all(s["is_met"] is (s["n_staff"] >= s["previous_n_staff"]) for s in steps.values())


def test_one_level_and_period_still_covers_both_predecessors(tmp_path: Path) -> None:
    generate_demo(
        tmp_path / "inbox",
        tmp_path / "manifest.json",
        periods=("2025-H1",),
        levels=("province",),
        scale="province",
        workers=1,
    )
    manifest = json.loads((tmp_path / "manifest.json").read_text("utf-8"))
    assert {f["province_id"] for f in manifest["files"]} == {"48", "49"}
    assert list(manifest["successor"]["periods"]) == ["2025-H1"]
