"""Parallel reading gives the same results in the same order; feedback pages are written."""

from __future__ import annotations

from pathlib import Path

import duckdb
from submission_files import PEOPLE, UNIT, standard_sheets, write_xlsx

from core.db import session
from core.settings import Settings
from ingest.registry import build_registry
from ingest.submissions.checks import index_registry
from ingest.submissions.load import ingest_submissions
from ingest.submissions.parallel import check_files


def _inbox(folder: Path) -> list[Path]:
    paths = []
    for i in range(12):
        person = {**PEOPLE[0], "full_name": f"Người Số {i}", "birth_year": 1970 + i}
        if i % 4 == 3:
            person["education_level"] = "Phổ thông"  # a row error every fourth file
        unit = {**UNIT, "unit_code": "99999"} if i == 5 else UNIT
        paths.append(write_xlsx(folder / f"f{i:02}.xlsx", standard_sheets(unit, [person])))
    return paths


def test_workers_return_what_one_process_returns_in_order(tmp_path: Path) -> None:
    paths = _inbox(tmp_path)
    registry = index_registry(build_registry())

    serial = list(check_files(paths, registry, 1 << 20, workers=1))
    parallel = list(check_files(paths, registry, 1 << 20, workers=2))

    assert [c.parsed.path for c in parallel] == paths
    assert [(c.unit, [r.record for r in c.rows], c.all_problems) for c in parallel] == [
        (c.unit, [r.record for r in c.rows], c.all_problems) for c in serial
    ]


def test_feedback_is_written_for_rejected_and_partial_files(data_home: Settings) -> None:
    _inbox(data_home.inbox_submissions)

    with session(data_home.build_db) as con:
        result = ingest_submissions(con, data_home, build_registry(), "b1", workers=1)

    statuses = {o.source_file: o.status for o in result.outcomes}
    assert statuses["f03.xlsx"] == "partial" and statuses["f05.xlsx"] == "rejected"
    feedback = data_home.feedback_dir
    partial_txt = next((feedback / "502").glob("f03.xlsx.*.txt")).read_text(encoding="utf-8")
    assert "ĐÃ NHẬN – CÒN DÒNG CẦN SỬA" in partial_txt and "ROWS STILL TO FIX" in partial_txt
    # the row's problem names whose row it is
    assert "dòng 2 – Người Số 3, cột Trình độ chuyên môn" in partial_txt
    # a mistyped code (99999) in Tam Kỳ's report is filed under Tam Kỳ, where its clerk looks
    rejected_html = next((feedback / "502").glob("f05.xlsx.*.html")).read_text("utf-8")
    assert "UNIT_UNKNOWN" in rejected_html and "BỊ TỪ CHỐI" in rejected_html
    assert "is not in the reporting-unit registry" in rejected_html
    index = (feedback / "index.html").read_text(encoding="utf-8")
    assert "<h2>502 – UBND Thành phố Tam Kỳ</h2>" in index and "<h2>99999" not in index
    assert "Mã đơn vị trong tệp: 99999 – không có đơn vị này; tệp gửi từ UBND Thành phố" in index
    assert index.count("<li>") == sum(1 for s in statuses.values() if s != "accepted")
    assert not list(feedback.glob("*/f00.xlsx.*"))  # accepted whole: nothing to say

    con = duckdb.connect(str(data_home.build_db), read_only=True)
    reconciled = con.execute(
        "select bool_and(rows_read = rows_loaded + rows_quarantined) from audit.file_loads"
    ).fetchone()
    assert reconciled == (True,)
