"""Province names as printed in each era resolve to that era's official province; the crosswalk."""

from __future__ import annotations

import pytest

from ingest.dti.provinces import crosswalk_rows, province_rows, provinces, resolve_province


@pytest.mark.parametrize(
    ("printed", "basis", "province_id", "official"),
    [
        ("TP. Đà Nẵng", 63, "48", "Thành phố Đà Nẵng"),
        ("Thành phố Đà Nẵng", 63, "48", "Thành phố Đà Nẵng"),
        ("Đà Nẵng", 63, "48", "Thành phố Đà Nẵng"),
        ("Thành phố Đà Nẵng", 34, "48", "Thành phố Đà Nẵng"),
        ("Da Nang City", 34, "48", "Thành phố Đà Nẵng"),
        ("Thừa Thiên - Huế", 63, "46", "Thành phố Huế"),
        ("Thừa Thiên Huế", 63, "46", "Thành phố Huế"),
        ("TT-Huế", 63, "46", "Thành phố Huế"),
        ("Thành phố Huế", 34, "46", "Thành phố Huế"),
        ("TP.HCM", 63, "79", "Thành phố Hồ Chí Minh"),
        ("Tp Hồ Chí Minh", 63, "79", "Thành phố Hồ Chí Minh"),
        ("TP. Hồ Chí Minh", 34, "79", "Thành phố Hồ Chí Minh"),
        ("Bà Rịa - Vũng Tàu", 63, "77", "Tỉnh Bà Rịa - Vũng Tàu"),
        ("Quảng Nam", 63, "49", "Tỉnh Quảng Nam"),
        ("QUANG NAM", 63, "49", "Tỉnh Quảng Nam"),
        ("Tỉnh Quảng Nam", 63, "49", "Tỉnh Quảng Nam"),
        ("Hoà Bình", 63, "17", "Tỉnh Hòa Bình"),
        ("Hà Nội", 34, "01", "Thành phố Hà Nội"),
        ("TP. Cần Thơ", 63, "92", "Thành phố Cần Thơ"),
    ],
)
def test_printed_names_resolve_within_their_basis(
    printed: str, basis: int, province_id: str, official: str
) -> None:
    resolution = resolve_province(printed, basis)
    assert resolution.province is not None, resolution.candidates
    assert (resolution.province.province_id, resolution.province.province_name) == (
        province_id,
        official,
    )


def test_an_unknown_name_is_not_guessed_and_names_candidates() -> None:
    resolution = resolve_province("Quảng Nan", 63)
    assert resolution.province is None
    assert resolution.candidates[0] == "Tỉnh Quảng Nam"


@pytest.mark.parametrize(
    ("printed", "merged_into"),
    [("Quảng Nam", "Thành phố Đà Nẵng"), ("Bà Rịa - Vũng Tàu", "Thành phố Hồ Chí Minh")],
)
def test_a_pre_2025_province_is_not_a_province_on_the_34_basis(
    printed: str, merged_into: str
) -> None:
    resolution = resolve_province(printed, 34)
    assert resolution.province is None
    assert resolution.merged_into == merged_into
    assert resolution.candidates[0] == merged_into


def test_province_lists_have_63_and_34_provinces() -> None:
    rows = province_rows()
    assert sum(1 for r in rows if r["basis"] == 63) == 63
    assert sum(1 for r in rows if r["basis"] == 34) == 34
    assert len({(r["province_id"], r["basis"]) for r in rows}) == 97


def test_crosswalk_covers_every_pre_2025_province_exactly_once() -> None:
    rows = crosswalk_rows()
    legacy_ids = [r["legacy_province_id"] for r in rows]
    assert sorted(legacy_ids) == sorted(p.province_id for p in provinces(63))
    assert len(legacy_ids) == len(set(legacy_ids)) == 63
    current = {p.province_id for p in provinces(34)}
    assert {r["province_id"] for r in rows} == current  # every 2025 province has a predecessor
    by_legacy = {r["legacy_province_id"]: r for r in rows}
    assert by_legacy["49"]["province_name"] == "Thành phố Đà Nẵng"  # Quảng Nam
    assert by_legacy["48"]["province_name"] == "Thành phố Đà Nẵng"
    assert by_legacy["77"]["province_name"] == "Thành phố Hồ Chí Minh"  # Bà Rịa - Vũng Tàu
    assert by_legacy["46"]["province_id"] == "46"  # Huế, not merged
