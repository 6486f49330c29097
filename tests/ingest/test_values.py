from __future__ import annotations

import datetime as dt

import pytest

from ingest.contract import STAFF_LABELS, UNIT_LABELS
from ingest.values import parse_date, parse_int, parse_period, parse_yes_no


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("2023", "2023"),
        (2023.0, "2023"),
        ("Năm 2023", "2023"),
        ("2024-H1", "2024-H1"),
        ("6 tháng đầu năm 2024", "2024-H1"),
        ("6 THÁNG CUỐI NĂM 2024", "2024-H2"),
        ("quý 3/2024", None),
    ],
)
def test_parse_period(text: object, period: str | None) -> None:
    assert parse_period(text) == period


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Có", True),
        ("co", True),
        ("x", True),
        ("✓", True),
        (1, True),
        ("Không", False),
        ("", False),
        (None, False),
        ("Không có", False),
        ("Chưa", False),
        ("Đúng", True),
        ("có lẽ", None),
    ],
)
def test_parse_yes_no(value: object, expected: bool | None) -> None:
    assert parse_yes_no(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12, 12),
        (12.0, 12),
        ("12", 12),
        (" 1.234 ", 1234),
        ("1,234", 1234),
        ("1.5", None),
        ("abc", None),
        # numbers beyond any column are parsed as they are; the field's bounds refuse them
        (1e10, 10_000_000_000),
        ("99999999999", 99_999_999_999),
        ("1e10", None),
        ("inf", None),
        ("nan", None),
        (float("inf"), None),
        (float("nan"), None),
    ],
)
def test_parse_int(value: object, expected: int | None) -> None:
    assert parse_int(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("15/01/2024", dt.date(2024, 1, 15)),
        ("5/1/24", dt.date(2024, 1, 5)),
        ("2024-01-15", dt.date(2024, 1, 15)),
        (45306, dt.date(2024, 1, 15)),
        ("31/02/2024", None),
        ("Ngày 15 tháng 01 năm 2024", dt.date(2024, 1, 15)),
        ("Tam Kỳ, ngày 5 tháng 1 năm 2024", dt.date(2024, 1, 5)),
        ("15.01.2024", dt.date(2024, 1, 15)),
        # a four-digit year is taken as written (the check then refuses it), never as 20xx
        ("01/01/0001", dt.date(1, 1, 1)),
        ("01/01/0024", dt.date(24, 1, 1)),
        # two digits are this century, explicitly
        ("5/1/99", dt.date(2099, 1, 5)),
        ("5/1/00", dt.date(2000, 1, 5)),
        ("5/1/024", None),
        ("0001-01-01", dt.date(1, 1, 1)),
    ],
)
def test_parse_date(value: object, expected: dt.date | None) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "label", ["Họ và tên", "HO VA TEN", "  họ   và tên ", "Ho va ten", "full_name", "Full name"]
)
def test_staff_header_variants(label: str) -> None:
    assert STAFF_LABELS.strict(label) == "full_name"


def test_unit_label_nfd() -> None:
    import unicodedata

    assert UNIT_LABELS.strict(unicodedata.normalize("NFD", "Mã đơn vị")) == "unit_code"
