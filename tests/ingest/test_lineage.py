"""Unit lineage and reporting duty: what each unit became, where it came from, who must report."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import pytest

from ingest.lineage import EVENT_KINDS, LineageEdge, commune_conversion, unit_lineage
from ingest.registry import (
    ReportingUnit,
    apply_reporting_duty,
    build_registry,
    exemption_rows,
    legacy_registry,
    new_da_nang_registry,
    registry_rows,
)

REFORM = dt.date(2025, 7, 1)


@pytest.fixture(scope="module")
def units() -> list[ReportingUnit]:
    return build_registry()


@pytest.fixture(scope="module")
def edges(units: list[ReportingUnit]) -> list[LineageEdge]:
    return unit_lineage(units)


def _name(units: list[ReportingUnit], unit_id: str, on: dt.date) -> str:
    return next(u.unit_name for u in units if u.unit_id == unit_id and u.is_active(on))


def test_tam_ky_is_a_new_unit_linked_to_each_predecessor(
    units: list[ReportingUnit], edges: list[LineageEdge]
) -> None:
    into_tam_ky = [
        e
        for e in edges
        if (e.successor_unit_id, e.successor_valid_from) == ("20341", REFORM)
        and e.event_kind != "dissolved"  # Thành phố Tam Kỳ passed its duties on too
    ]
    before = REFORM - dt.timedelta(days=1)
    assert {_name(units, e.predecessor_unit_id, before) for e in into_tam_ky} == {
        "UBND Phường An Mỹ",
        "UBND Phường An Xuân",
        "UBND Phường Trường Xuân",
    }
    assert {(e.event_kind, e.effective_date) for e in into_tam_ky} == {("merged_into", REFORM)}
    assert all(e.resolution.startswith("NQ 1659/NQ-UBTVQH15") for e in into_tam_ky)
    # 20341 itself: Phường An Mỹ became Phường Tam Kỳ, a version of its own, not a rename
    [an_my] = [e for e in edges if e.predecessor_unit_id == "20341"]
    assert an_my.successor_unit_id == "20341" and an_my.predecessor_valid_from < REFORM
    assert _name(units, "20341", REFORM) == "UBND Phường Tam Kỳ"


def test_every_old_quang_nam_commune_has_one_filing_successor(
    units: list[ReportingUnit], edges: list[LineageEdge]
) -> None:
    last_day = REFORM - dt.timedelta(days=1)
    old_communes = {
        u.unit_id
        for u in units
        if u.unit_level == "commune" and u.valid_to == last_day and u.province_code == "49"
    }
    assert len(old_communes) == 233
    reform_edges = [
        e for e in edges if e.predecessor_unit_id in old_communes and e.effective_date == REFORM
    ]
    filing = Counter(e.predecessor_unit_id for e in reform_edges if e.is_filing_successor)
    assert set(filing) == old_communes and set(filing.values()) == {1}
    assert len({e.successor_unit_id for e in reform_edges}) == 78


def test_districts_are_dissolved_into_the_new_communes(
    units: list[ReportingUnit], edges: list[LineageEdge]
) -> None:
    districts = {
        u.unit_id
        for u in units
        if u.unit_level == "district" and u.valid_to and u.province_code == "49"
    }
    dissolved: dict[str, list[LineageEdge]] = defaultdict(list)
    for e in edges:
        if e.event_kind == "dissolved" and e.predecessor_unit_id in districts:
            dissolved[e.predecessor_unit_id].append(e)
    # the 17 districts of 2025; Nông Sơn had merged into Quế Sơn on 2025-01-01
    assert len(dissolved) == 17 and set(dissolved) == districts - {"519"}
    for district_edges in dissolved.values():
        assert sum(e.is_filing_successor for e in district_edges) == 1
        assert {e.effective_date for e in district_edges} == {REFORM}
        assert all("NQ 202/2025/QH15" in e.resolution for e in district_edges)
    [nong_son] = [e for e in edges if e.predecessor_unit_id == "519"]
    assert (nong_son.successor_unit_id, nong_son.event_kind) == ("509", "merged_into")
    assert nong_son.effective_date == dt.date(2025, 1, 1)


def test_departments_merge_in_march_then_into_the_new_city(edges: list[LineageEdge]) -> None:
    by_pair = {(e.predecessor_unit_id, e.successor_unit_id): e for e in edges}
    assert by_pair[("49-STTTT", "49-SKHCN")].effective_date == dt.date(2025, 3, 1)
    assert by_pair[("49-SNNPTNT", "49-SNNMT")].event_kind == "merged_into"
    assert by_pair[("49-SNV", "48-SNV")].effective_date == REFORM
    assert "NQ 202/2025/QH15" in by_pair[("49-SNV", "48-SNV")].resolution
    # legacy Đà Nẵng's departments: the same 2025-03-01 mergers, then into the new city's
    # department of the same code, a new version of it
    assert by_pair[("48-STTTT", "48-SKHCN")].effective_date == dt.date(2025, 3, 1)
    old_snv = by_pair[("48-SNV", "48-SNV")]
    assert old_snv.predecessor_valid_from < REFORM == old_snv.successor_valid_from
    split = [e for e in edges if e.predecessor_unit_id == "49-SVHTTDL"]
    assert {e.event_kind for e in split} == {"split_into"}
    assert sum(e.is_filing_successor for e in split) == 1


def test_edges_link_versions_of_the_registry(
    units: list[ReportingUnit], edges: list[LineageEdge]
) -> None:
    versions = {(u.unit_id, u.valid_from) for u in units}
    for e in edges:
        assert (e.predecessor_unit_id, e.predecessor_valid_from) in versions
        assert (e.successor_unit_id, e.successor_valid_from) in versions
        assert e.event_kind in EVENT_KINDS
        assert e.resolution


def test_both_old_provinces_cover_the_94_new_communes() -> None:
    """With legacy Đà Nẵng in the registry too, every new commune has a predecessor."""
    units = legacy_registry(("48", "49")) + new_da_nang_registry()
    edges = unit_lineage(units)
    new_communes = {
        u.unit_id for u in units if u.unit_level == "commune" and u.valid_from == REFORM
    }
    assert len(new_communes) == 94
    assert {e.successor_unit_id for e in edges if e.successor_unit_id in new_communes} == (
        new_communes
    )
    # Xã Hòa Liên was divided: one successor files what it still owed
    targets = Counter(legacy["wardCode"] for legacy, _, _ in commune_conversion())
    [hoa_lien] = [code for code, n in targets.items() if n > 1]
    assert _name(units, hoa_lien, REFORM - dt.timedelta(days=1)) == "UBND Xã Hòa Liên"
    split = [e for e in edges if e.predecessor_unit_id == hoa_lien]
    assert {e.event_kind for e in split} == {"split_into"}
    assert len(split) == 2 and sum(e.is_filing_successor for e in split) == 1
    # the island district became the special zone
    [hoang_sa] = [e for e in edges if e.predecessor_unit_id == "498"]
    assert (hoang_sa.successor_unit_id, hoang_sa.event_kind) == ("20333", "renamed")


def test_hoang_sa_has_no_reporting_duty(units: list[ReportingUnit]) -> None:
    exempt = {(row["unit_id"], row["valid_from"]) for row in exemption_rows(units)}
    assert ("20333", REFORM) in exempt
    assert exempt <= {("20333", REFORM), ("498", dt.date(2020, 1, 1))}
    assert all(u.has_reporting_duty for u in units if u.unit_id not in ("20333", "498"))
    # the island district of legacy Đà Nẵng, had it in the registry
    legacy = apply_reporting_duty(legacy_registry(("48",)))
    assert [u.unit_id for u in legacy if not u.has_reporting_duty] == ["498"]
    # the registry's own table is unchanged: the duty travels in raw.reporting_exemptions
    assert "has_reporting_duty" not in registry_rows(units)[0]
