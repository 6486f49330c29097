"""The reporting-unit registry: Quảng Nam before and after 2025-01-01 and legacy Đà Nẵng, then
the new Đà Nẵng."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import subprocess
from collections import Counter

import pytest

from core.settings import REPO_ROOT
from ingest.registry import (
    QUANG_NAM_BEFORE_2025_CSV,
    ReportingUnit,
    build_registry,
    successor_provinces,
)

QUANG_NAM_2023 = {("49", "province"): 20, ("49", "district"): 18, ("49", "commune"): 241}
OLD_DA_NANG_2023 = {("48", "province"): 19, ("48", "district"): 8, ("48", "commune"): 47}


@pytest.fixture(scope="module")
def units() -> list[ReportingUnit]:
    return build_registry()


def _active(units: list[ReportingUnit], on: str) -> Counter[tuple[str, str]]:
    day = dt.date.fromisoformat(on)
    return Counter((u.province_code, u.unit_level) for u in units if u.is_active(day))


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        # 18 districts and 241 communes until Nông Sơn joined Quế Sơn (NQ 1241/NQ-UBTVQH15);
        # legacy Đà Nẵng: 19 departments, 8 districts (Hoàng Sa among them), 47 wards and communes
        ("2023-12-31", {**QUANG_NAM_2023, **OLD_DA_NANG_2023}),
        ("2024-12-31", {**QUANG_NAM_2023, **OLD_DA_NANG_2023}),
        # departments merged on 1 March 2025 in both; Quảng Nam: 17 districts, 233 communes
        (
            "2025-06-30",
            {
                ("49", "province"): 14,
                ("49", "district"): 17,
                ("49", "commune"): 233,
                ("48", "province"): 14,
                ("48", "district"): 8,
                ("48", "commune"): 47,
            },
        ),
        # the new Đà Nẵng: no district level, 94 commune-level units
        ("2025-12-31", {("48", "province"): 14, ("48", "commune"): 94}),
    ],
)
def test_units_active_on_a_day(units: list[ReportingUnit], on: str, expected: dict) -> None:
    assert _active(units, on) == expected


def test_unit_versions_are_unique_and_do_not_overlap(units: list[ReportingUnit]) -> None:
    keys = Counter((u.unit_id, u.valid_from) for u in units)
    assert max(keys.values()) == 1
    by_id: dict[str, list[ReportingUnit]] = {}
    for u in units:
        by_id.setdefault(u.unit_id, []).append(u)
    for versions in by_id.values():
        versions.sort(key=lambda u: u.valid_from)
        for earlier, later in itertools.pairwise(versions):
            assert earlier.valid_to is not None and earlier.valid_to < later.valid_from


def test_da_nang_departments_continue_across_the_reorganisation(
    units: list[ReportingUnit],
) -> None:
    """A department of legacy Đà Nẵng that the new city keeps is one unit in two versions."""
    versions = sorted((u for u in units if u.unit_id == "48-SKHCN"), key=lambda u: u.valid_from)
    assert [(u.valid_to, u.province_name) for u in versions] == [
        (dt.date(2025, 6, 30), "Thành phố Đà Nẵng"),
        (None, "Thành phố Đà Nẵng"),
    ]
    assert versions[1].valid_from == dt.date(2025, 7, 1)
    # the IT department merged into Science and Technology on 1 March 2025, as in Quảng Nam
    merged = {u.unit_id: u.valid_to for u in units if u.unit_id in ("48-STTTT", "49-STTTT")}
    assert merged == {"48-STTTT": dt.date(2025, 2, 28), "49-STTTT": dt.date(2025, 2, 28)}
    legacy = [u for u in units if u.province_code == "48" and u.unit_level == "province"]
    assert all(u.source == "departments.csv" for u in legacy)


def test_nong_son_communes_move_to_que_son(units: list[ReportingUnit]) -> None:
    def parent(unit_id: str, on: str) -> str | None:
        day = dt.date.fromisoformat(on)
        return next(u for u in units if u.unit_id == unit_id and u.is_active(day)).parent_unit_id

    assert parent("20669", "2024-06-30") == "519"  # Xã Phước Ninh, Huyện Nông Sơn
    assert parent("20669", "2025-06-30") == "509"  # Huyện Quế Sơn
    nong_son = [
        u for u in units if u.parent_unit_id == "519" and u.is_active(dt.date(2024, 12, 31))
    ]
    assert len(nong_son) == 6
    assert all(u.source.startswith("quang_nam_before_2025.csv: ") for u in nong_son)


def test_national_scope_covers_every_pre_2025_province() -> None:
    units = build_registry("national")
    active = _active(units, "2023-12-31")
    provinces = {code for code, level in active if level == "district"}
    assert len(provinces) == 63
    assert sum(n for (_, level), n in active.items() if level == "commune") > 10_000
    # the template (Quảng Nam's 20 departments) wherever the province keeps no list of its own
    assert all(active[(code, "province")] == 20 for code in provinces - {"48"})
    assert active[("48", "province")] == OLD_DA_NANG_2023[("48", "province")]


def test_unknown_scope_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown registry scope"):
        build_registry("world")


def test_nong_son_merger_cites_its_resolution() -> None:
    """Nông Sơn joined Quế Sơn by NQ 1241/NQ-UBTVQH15 of 24/10/2024, nowhere another number."""
    with QUANG_NAM_BEFORE_2025_CSV.open(encoding="utf-8") as handle:
        nong_son = next(r for r in csv.DictReader(handle) if r["unit_id"] == "519")
    assert "NQ 1241/NQ-UBTVQH15 (24/10/2024)" in nong_son["source"]
    wrong = f"{1334}/NQ-UBTVQH15"
    tracked = subprocess.run(
        ["git", "grep", "-l", wrong], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    assert tracked.stdout.split() == []


def test_national_scope_after_the_reform_has_the_34_provinces() -> None:
    """From 2025-07-01 the national registry holds the 34 provinces: their commune-level units
    from ``vietnamadminunits`` and departments on the new Đà Nẵng's pattern, no district."""
    units = build_registry("national")
    active = _active(units, "2026-06-30")
    provinces = {code for code, _ in active}
    assert len(provinces) == 34
    assert not any(level == "district" for _, level in active)
    assert sum(n for (_, level), n in active.items() if level == "commune") == 3321
    new_da_nang = [u for u in build_registry() if u.is_active(dt.date(2026, 6, 30))]
    assert active[("48", "province")] == sum(u.unit_level == "province" for u in new_da_nang)
    assert all(active[(code, "province")] == active[("48", "province")] for code in provinces)
    hanoi_office = next(
        u for u in units if u.unit_id == "01-VPUB" and u.valid_from == dt.date(2025, 7, 1)
    )
    assert hanoi_office.unit_name == "Văn phòng UBND Thành phố Hà Nội"
    assert hanoi_office.source == "departments.csv (template)"
    # a legacy province's department continues as a new version under the same id (SCD2)
    versions = Counter((u.unit_id, u.valid_from) for u in units)
    assert max(versions.values()) == 1
    assert {u.valid_to for u in units if u.unit_id == "01-VPUB"} == {dt.date(2025, 6, 30), None}


def test_every_pre_2025_province_has_one_successor_among_the_34() -> None:
    successor = successor_provinces()
    assert len(successor) == 63
    assert len(set(successor.values())) == 34
    # NQ 202/2025/QH15: Quảng Nam and Đà Nẵng → Đà Nẵng; Bình Dương, Bà Rịa - Vũng Tàu and
    # Hồ Chí Minh City → Hồ Chí Minh City; Hà Nội alone
    assert successor["49"] == successor["48"] == "48"
    assert successor["74"] == successor["77"] == successor["79"] == "79"
    assert successor["01"] == "01"
