"""Loading one batch: good rows load, bad rows and bad files are quarantined with their codes."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from core.db import session
from core.settings import Settings
from ingest.demo.workbook import write_submission_xlsx
from ingest.registry import build_registry
from ingest.submissions.load import ingest_submissions

UNIT = {
    "unit_code": "502",
    "unit_name": "UBND Thành phố Tam Kỳ",
    "unit_type": "UBND cấp huyện",
    "period": "Năm 2023",
    "has_dx_focal_point": "Có",
    "submitted_on": "15/01/2024",
}
GOOD = {
    "full_name": "Trần Thị Bình",
    "birth_year": 1988,
    "gender": "Nữ",
    "assignment": "Chuyên trách",
    "education_level": "Đại học",
    "field_of_study": "CNTT",
    "trainings_in_period": 2,
    "dx_network_member": "Có",
    "platform_access": "x",
}


def _load(settings: Settings) -> duckdb.DuckDBPyConnection:
    with session(settings.build_db) as con:
        ingest_submissions(con, settings, build_registry(), "test-batch")
    return duckdb.connect(str(settings.build_db), read_only=True)


def test_a_person_is_never_dropped_for_a_field(data_home: Settings) -> None:
    bad_year = {**GOOD, "full_name": "Lê Văn Cường", "birth_year": 1890}
    bad_assignment = {**GOOD, "full_name": "Phạm Văn Dũng", "assignment": "Thỉnh thoảng"}
    no_one = {**GOOD, "full_name": "-"}
    write_submission_xlsx(
        data_home.inbox_submissions / "502.xlsx",
        UNIT,
        [GOOD, bad_year, bad_assignment, no_one],
    )

    con = _load(data_home)

    # every named person loads; what was wrong is unknown for that person, kept as written
    assert con.execute(
        "select row_number, full_name, birth_year, assignment, extras from raw.staff_rows"
        " order by row_number"
    ).fetchall() == [
        (2, "Trần Thị Bình", 1988, "Chuyên trách", None),
        (3, "Lê Văn Cường", None, "Chuyên trách", '{"Năm sinh (giá trị chưa đọc được)": "1890"}'),
        (
            4,
            "Phạm Văn Dũng",
            1988,
            None,
            '{"Hình thức bố trí (giá trị chưa đọc được)": "Thỉnh thoảng"}',
        ),
    ]
    # only the row that names no one is held back
    assert con.execute(
        "select row_number, error_codes from quarantine.rows order by row_number"
    ).fetchall() == [(5, "ROW_NAME_INVALID")]
    # the field errors are still errors for the clerk to fix
    assert con.execute(
        "select row_number, code, scope, severity from audit.problems"
        " where severity = 'error' order by row_number"
    ).fetchall() == [
        (3, "BIRTH_YEAR_OUT_OF_RANGE", "field", "error"),
        (4, "ROW_FIELD_INVALID", "field", "error"),
        (5, "ROW_NAME_INVALID", "row", "error"),
    ]
    assert con.execute(
        "select status, rows_read, rows_loaded, rows_quarantined from audit.file_loads"
    ).fetchall() == [("partial", 4, 3, 1)]
    assert con.execute("select period_id from raw.submissions").fetchall() == [("2023",)]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"unit_code": "77777"}, "UNIT_UNKNOWN"),
        ({"period": "quý 3"}, "PERIOD_INVALID"),
        ({"unit_type": "UBND cấp xã"}, "UNIT_TYPE_MISMATCH"),
        ({"unit_code": None}, "REQUIRED_FIELD_MISSING"),
    ],
)
def test_file_level_errors_reject_the_file(
    data_home: Settings, change: dict[str, object], code: str
) -> None:
    write_submission_xlsx(data_home.inbox_submissions / "f.xlsx", {**UNIT, **change}, [GOOD])

    con = _load(data_home)

    assert code in con.execute("select error_codes from quarantine.files").fetchone()[0]
    assert con.execute("select count(*) from raw.staff_rows").fetchone() == (0,)
    assert con.execute("select count(*) from quarantine.rows").fetchone() == (1,)


def test_same_bytes_twice_is_a_duplicate(data_home: Settings) -> None:
    first = data_home.inbox_submissions / "a.xlsx"
    write_submission_xlsx(first, UNIT, [GOOD])
    (data_home.inbox_submissions / "a_copy.xlsx").write_bytes(first.read_bytes())

    con = _load(data_home)

    assert sorted(con.execute("select status from audit.file_loads").fetchall()) == [
        ("accepted",),
        ("duplicate",),
    ]
    assert con.execute("select count(*) from raw.staff_rows").fetchone() == (1,)


def test_unreadable_file_is_rejected_and_archived(data_home: Settings) -> None:
    broken = data_home.inbox_submissions / "broken.xlsx"
    broken.write_bytes(b"this is not a workbook")

    con = _load(data_home)

    assert con.execute("select error_codes from quarantine.files").fetchall() == [
        ("FILE_UNREADABLE",)
    ]
    archived = Path(con.execute("select archived_path from audit.file_loads").fetchone()[0])
    assert archived.read_bytes() == b"this is not a workbook"
