"""Header labels (Vietnamese with/without diacritics, English) and value forms."""

from __future__ import annotations

import pytest

from ingest.dti.fields import field_for, parse_rank, parse_score


@pytest.mark.parametrize(
    ("label", "field_id"),
    [
        ("Tỉnh/Thành phố", "province_name"),
        ("Tinh, thanh pho", "province_name"),
        ("Province", "province_name"),
        ("Xếp hạng", "rank"),
        ("XEP HANG", "rank"),
        ("Rank", "rank"),
        ("Điểm DTI", "dti"),
        ("PDTI", "dti"),
        ("DTI score", "dti"),
        ("Nhận thức số", "nhan_thuc_so"),
        ("nhan thuc so", "nhan_thuc_so"),
        ("Digital awareness", "nhan_thuc_so"),
        ("An toàn thông tin mạng", "an_toan_thong_tin_mang"),
        ("Hoạt động chính quyền số", "hoat_dong_chinh_quyen_so"),
        ("HĐ CQS", "hoat_dong_chinh_quyen_so"),
        ("Chính quyền số", "tru_cot_chinh_quyen_so"),
        ("Digital government", "tru_cot_chinh_quyen_so"),
        ("Hạng chính quyền số", "hang_chinh_quyen_so"),
        ("Digital economy rank", "hang_kinh_te_so"),
        ("Năm", "year"),
        ("Cơ sở xếp hạng", "basis"),
    ],
)
def test_header_variants(label: str, field_id: str) -> None:
    assert field_for(label) == field_id


def test_an_unknown_header_maps_to_nothing() -> None:
    assert field_for("Ghi chú") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0,5808", 0.5808),
        ("0.5808", 0.5808),
        (0.5808, 0.5808),
        (" 1 ", 1.0),
        ("", None),
        ("-", None),
    ],
)
def test_scores_with_decimal_comma_or_point(value: object, expected: float | None) -> None:
    assert parse_score(value) == expected


def test_a_non_numeric_score_is_an_error() -> None:
    with pytest.raises(ValueError):
        parse_score("khoảng 0,5")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("31", (31, None)),
        (31, (31, None)),
        (31.0, (31, None)),
        ("31/63", (31, 63)),
        ("Hạng 31", (31, None)),
        ("Hạng 31/63", (31, 63)),
        ("hang 17 / 34", (17, 34)),
        ("", (None, None)),
    ],
)
def test_rank_forms(value: object, expected: tuple[int | None, int | None]) -> None:
    assert parse_rank(value) == expected


@pytest.mark.parametrize("value", ["thứ ba", "31,5", 31.5])
def test_a_rank_that_is_not_a_whole_number_is_an_error(value: object) -> None:
    with pytest.raises(ValueError):
        parse_rank(value)
