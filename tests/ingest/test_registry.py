"""The reporting-unit registry: Quảng Nam before and after 2025-01-01, then the new Đà Nẵng."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter

import pytest

from ingest.registry import ReportingUnit, build_registry


@pytest.fixture(scope="module")
def units() -> list[ReportingUnit]:
    return build_registry()


def _active(units: list[ReportingUnit], on: str) -> Counter[tuple[str, str]]:
    day = dt.date.fromisoformat(on)
    return Counter((u.province_code, u.unit_level) for u in units if u.is_active(day))


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        # 18 districts and 241 communes until Nông Sơn joined Quế Sơn (NQ 1334/NQ-UBTVQH15)
        ("2023-12-31", {("49", "province"): 20, ("49", "district"): 18, ("49", "commune"): 241}),
        ("2024-12-31", {("49", "province"): 20, ("49", "district"): 18, ("49", "commune"): 241}),
        # departments merged on 1 March 2025; 17 districts and 233 communes from 1 January
        ("2025-06-30", {("49", "province"): 14, ("49", "district"): 17, ("49", "commune"): 233}),
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
    assert all(active[(code, "province")] == 20 for code in provinces)


def test_unknown_scope_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown registry scope"):
        build_registry("world")
