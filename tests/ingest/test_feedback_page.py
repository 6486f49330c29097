"""The clerk's feedback page and the index of all feedback: who, which period, when, in words.

The pages are built from real checked files (xlsx written here, checked by the real checks)
and opened in headless Chromium with the network off.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from submission_files import PEOPLE, UNIT, standard_sheets, write_xlsx

from ingest.registry import build_registry
from ingest.submissions.checks import CheckedSubmission, index_registry
from ingest.submissions.feedback import (
    LoadedFile,
    format_report,
    local_time,
    period_label,
    write_feedback,
    write_index,
)
from ingest.submissions.parallel import check_files
from tests.warehouse.browser import load_page

# 16:05 UTC is 23:05 in Vietnam (UTC+7), still the same day
CHECKED_AT = dt.datetime(2026, 12, 1, 16, 5, 42, tzinfo=dt.UTC)


def _check(
    folder: Path, name: str, unit: dict[str, object], people: list[dict[str, object]]
) -> CheckedSubmission:
    path = write_xlsx(folder / name, standard_sheets(unit, people))
    [checked] = check_files([path], index_registry(build_registry()), 1 << 20, workers=1)
    return checked


@pytest.fixture
def partial(tmp_path: Path) -> CheckedSubmission:
    """Unit 502's 2024-H1 report with one good row and one row with a wrong education level."""
    bad = {**PEOPLE[1], "education_level": "Phổ thông"}
    return _check(tmp_path, "tamky.xlsx", {**UNIT, "period": "2024-H1"}, [PEOPLE[0], bad])


def test_the_page_names_the_unit_and_the_period(tmp_path: Path, partial: CheckedSubmission) -> None:
    files = write_feedback(tmp_path / "fb", "tamky.xlsx", "ab" * 32, partial, "502", CHECKED_AT)

    page = files.html.read_text(encoding="utf-8")

    assert "<th>Đơn vị</th><td>502 – UBND Thành phố Tam Kỳ</td>" in page
    assert "<th>Kỳ báo cáo</th><td>6 tháng đầu năm 2024 (2024-H1)</td>" in page
    assert "<th>Reporting period</th><td>First half of 2024 (2024-H1)</td>" in page
    assert "<th>Kiểm tra lúc</th><td>01/12/2026 23:05 (giờ Việt Nam)</td>" in page
    assert page.index("<section lang='vi'>") < page.index("<section lang='en'>")


def test_counts_read_as_vietnamese_and_english_do(partial: CheckedSubmission) -> None:
    vi = format_report("tamky.xlsx", partial, "vi")
    en = format_report("tamky.xlsx", partial, "en")

    # the person with a wrong education level still counts: that value is to fix
    assert "2 người được tính, trong đó 1 dòng còn giá trị cần sửa" in vi
    assert "2 people count, 1 row of them with values to fix" in en
    assert "1 rows" not in vi + en and "2 people counts" not in en


def test_the_index_shows_vietnam_time_and_each_unit(
    tmp_path: Path, partial: CheckedSubmission
) -> None:
    unknown = _check(tmp_path, "x.xlsx", {**UNIT, "unit_code": "99999"}, [PEOPLE[0]])
    feedback = tmp_path / "fb"
    write_feedback(feedback, "tamky.xlsx", "ab" * 32, partial, "502", CHECKED_AT)
    later = CHECKED_AT + dt.timedelta(hours=1)  # 00:05 on the next day in Vietnam
    write_feedback(feedback, "x.xlsx", "cd" * 32, unknown, "99999", later)

    index = write_index(feedback).read_text(encoding="utf-8")

    assert "<h2>502 – UBND Thành phố Tam Kỳ</h2>" in index
    assert "Kiểm tra lúc <span class='nowrap'>01/12/2026 23:05</span>" in index
    assert "Kiểm tra lúc <span class='nowrap'>02/12/2026 00:05</span>" in index
    assert "2026-12-01T" not in index and "+00:00" not in index
    assert "Kỳ báo cáo: 6 tháng đầu năm 2024 (2024-H1) · 1 lỗi" in index
    assert "Kỳ báo cáo: Năm 2023" in index


@pytest.mark.parametrize(
    ("moment", "shown"),
    [
        ("2026-12-31T17:00:00+00:00", "01/01/2027 00:00"),
        ("2026-06-30T23:59:00", "01/07/2026 06:59"),  # naive means UTC
        (
            dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.timezone(dt.timedelta(hours=7))),
            "02/01/2026 03:04",
        ),
    ],
)
def test_local_time(moment: dt.datetime | str, shown: str) -> None:
    assert local_time(moment) == shown


@pytest.mark.parametrize(
    ("period_id", "vi"),
    [
        ("2023", "Năm 2023"),
        ("2025-H2", "6 tháng cuối năm 2025 (2025-H2)"),
        (None, "Chưa xác định"),
    ],
)
def test_period_label(period_id: str | None, vi: str) -> None:
    assert period_label(period_id) == vi


def test_the_pages_open_offline_in_chromium(tmp_path: Path, partial: CheckedSubmission) -> None:
    feedback = tmp_path / "fb"
    files = write_feedback(feedback, "tamky.xlsx", "ab" * 32, partial, "502", CHECKED_AT)
    index = write_index(feedback)

    page = load_page(files.html, width=800)
    listing = load_page(index, width=800)

    assert page.errors == [] and listing.errors == []
    assert "ĐÃ NHẬN – CÒN DÒNG CẦN SỬA" in page.dom and "Trình độ chuyên môn" in page.dom
    assert "502 – UBND Thành phố Tam Kỳ" in listing.dom and "tamky.xlsx" in listing.dom


def test_an_unreadable_file_says_no_row_was_read(tmp_path: Path) -> None:
    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(b"not a workbook")
    [checked] = check_files([broken], index_registry(build_registry()), 1 << 20, workers=1)

    vi = format_report("hong.xlsx", checked, "vi")
    en = format_report("hong.xlsx", checked, "en")

    assert "BỊ TỪ CHỐI" in vi and "Không đọc được dòng dữ liệu nào" in vi
    assert "No data rows were read" in en
    assert "0 dòng" not in vi and "0 data rows" not in en


JO_NGAY = {
    **UNIT,
    "unit_code": "20476",
    "unit_name": "UBND Xã Jơ Ngây",
    "unit_type": "UBND cấp xã",
    "period": "Năm 2022",
}


def test_a_mistyped_code_is_filed_under_the_unit_that_sent_it(tmp_path: Path) -> None:
    mistyped = _check(tmp_path, "20476_sai_ma.xlsx", {**JO_NGAY, "unit_code": "20475"}, PEOPLE)
    feedback = tmp_path / "fb"
    write_feedback(feedback, "2022/20476_sai_ma.xlsx", "ab" * 32, mistyped, "20475", CHECKED_AT)

    index = write_index(feedback).read_text(encoding="utf-8")

    # the clerk of 20476 finds it under 20476, named for 20476; the typo is spelled out
    assert "<h2>20476 – UBND Xã Jơ Ngây</h2>" in index
    assert "20475 – UBND" not in index
    assert "Mã đơn vị trong tệp: 20475 – không có đơn vị này; tệp gửi từ UBND Xã Jơ Ngây" in index
    assert (feedback / "20476").is_dir() and not (feedback / "20475").exists()


def test_the_index_puts_the_latest_report_first(tmp_path: Path) -> None:
    feedback = tmp_path / "fb"
    nowhere = {**UNIT, "unit_code": "99999", "unit_name": "Ban Không Có Thật"}
    early = _check(tmp_path, "a.xlsx", nowhere, PEOPLE)
    late = _check(tmp_path, "b.xlsx", {**JO_NGAY, "unit_code": "20476", "period": "x"}, PEOPLE)
    write_feedback(feedback, "b.xlsx", "cd" * 32, late, "20476", CHECKED_AT)
    write_feedback(feedback, "a.xlsx", "ab" * 32, early, "99999", CHECKED_AT + dt.timedelta(1))

    index = write_index(feedback).read_text(encoding="utf-8")

    # 20476 sorts before 99999 by code, but the newest report comes first
    assert index.index("<h2>20476") > index.index("<h2>99999")
    assert "<h2>99999 – mã không có trong danh mục đơn vị</h2>" in index
    assert "Mã đơn vị trong tệp: 99999 – không có đơn vị này; tên đơn vị ghi trong tệp" in index


def test_a_replaced_report_is_shown_as_replaced(tmp_path: Path) -> None:
    partial = _check(tmp_path, "x.xlsx", JO_NGAY, [PEOPLE[0], {**PEOPLE[1], "birth_year": 1890}])
    feedback = tmp_path / "fb"
    stored = "portal/20476__2022__20261201T160542Z__1a2b3c4d.xlsx"
    write_feedback(feedback, stored, "ab" * 32, partial, "20476", CHECKED_AT, arrival_seq=3)
    fixed = "portal/20476__2022__20261202T080000Z__5e6f7a8b.xlsx"

    before = write_index(feedback).read_text(encoding="utf-8")
    after = write_index(
        feedback,
        loaded=[LoadedFile("20476", "2022", 4, fixed), LoadedFile("20476", "2023", 9, "y")],
    ).read_text(encoding="utf-8")

    # not the portal's internal name: when the clerk sent it, in Vietnam time
    assert "tệp gửi qua cổng lúc 01/12/2026 23:05</a>" in before and ">portal/" not in before
    assert "ĐÃ CÓ TỆP THAY THẾ" not in before
    assert "ĐÃ CÓ TỆP THAY THẾ" in after
    assert "Đã được thay bằng tệp gửi qua cổng lúc 02/12/2026 15:00 (đã nạp)." in after
