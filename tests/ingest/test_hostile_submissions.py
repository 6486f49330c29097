"""Hostile submission files: each ends in a recorded outcome with a code, the rest of the batch
loads, every file's rows reconcile, and a second night changes nothing.

All hostile files and two good ones share one inbox and one real ingest (workers, DuckDB), run
twice; each case then checks its own file's outcome.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from hostile_files import (
    BILLION_LAUGHS,
    COMMUNE,
    EXTERNAL_ENTITY,
    Build,
    csv_with,
    far_cell,
    far_cell_elsewhere,
    far_cell_xls,
    good_xlsx,
    long_field_csv,
    odd_compression,
    ole_container,
    person,
    raw_bytes,
    snapshot,
    staff_value,
    truncated_xlsx,
    unit_value,
    xml_doctype,
    zip_bomb,
)
from submission_files import PEOPLE, UNIT, flat_grid, standard_sheets, write_csv, write_xlsx

from core.db import session
from core.settings import Settings, load_settings
from core.vocabulary import FileStatus
from ingest.contract import SHEET_STAFF, SHEET_UNIT
from ingest.landing import sha256_of
from ingest.registry import build_registry
from ingest.submissions.load import BatchResult, ingest_submissions
from ingest.workers import Limits

A, P, R = FileStatus.ACCEPTED, FileStatus.PARTIAL, FileStatus.REJECTED
GOOD = ("good_one.xlsx", "good_two.xlsx")


@dataclass(frozen=True)
class Case:
    build: Build
    status: frozenset[FileStatus]  # the file ends in one of these
    codes: frozenset[str]  # one of these codes is recorded for the file
    where: str = "file"  # file: quarantine.files | row: quarantine.rows | problem: audit.problems


def case(
    build: Build, status: FileStatus | set[FileStatus], *codes: str, where: str = "file"
) -> Case:
    statuses = frozenset(status if isinstance(status, set) else {status})
    return Case(build, statuses, frozenset(codes), where)


def _long_name(d: Path) -> Path:
    # 240 bytes of Vietnamese letters: the name fits the file system, the feedback name would not
    name = "Báo cáo nhân lực chuyển đổi số " * 4
    name = name.encode()[:230].decode(errors="ignore").strip() + ".xlsx"
    return raw_bytes(name, b"%PDF-1.7 not a workbook")(d)


def _nul_in_csv(grid: list[list[object]]) -> None:
    grid[1][len(grid[1]) - len(PEOPLE[0]) + 1] = "Nguyễn\x00Văn A"


def _far_unit_code(d: Path) -> Path:
    unit = {**UNIT, "unit_code": "9" * 40}
    return write_xlsx(d / "unit_code_long.xlsx", standard_sheets(unit, [person("unit_long")]))


def _sparse_csv_line(d: Path) -> Path:
    grid = flat_grid(UNIT, [person("wide_csv"), PEOPLE[1]])
    grid[2] = grid[2] + [""] * 5000 + ["x"]
    return write_csv(d / "wide_csv.csv", grid, "utf-8")


def _nested(case_id: str, folder: str) -> Build:
    return lambda d: write_xlsx(
        d / folder / "bao_cao.xlsx", standard_sheets(UNIT, [person(case_id), PEOPLE[1]])
    )


def _same_bytes_as_good(d: Path) -> Path:
    target = d / "copy_of_good_one.xlsx"
    target.write_bytes((d / "good_one.xlsx").read_bytes())
    return target


CASES: dict[str, Case] = {
    # values an integer column cannot hold
    "stt_1e10": case(staff_value("stt_1e10", row_no=1e10), P, "VALUE_OUT_OF_RANGE", where="field"),
    "trainings_huge": case(
        staff_value("trainings_huge", trainings_in_period=99999999999),
        P,
        "VALUE_OUT_OF_RANGE",
        where="field",
    ),
    "trainings_1e308": case(
        staff_value("trainings_1e308", trainings_in_period=1e308),
        P,
        "VALUE_OUT_OF_RANGE",
        where="field",
    ),
    "trainings_text_huge": case(
        staff_value("trainings_text_huge", trainings_in_period="3000000000"),
        P,
        "VALUE_OUT_OF_RANGE",
        where="field",
    ),
    "birth_year_huge": case(
        staff_value("birth_year_huge", birth_year=1e12),
        P,
        "BIRTH_YEAR_OUT_OF_RANGE",
        "VALUE_OUT_OF_RANGE",
        where="field",
    ),
    "teams_3e9": case(unit_value("teams_3e9", community_teams=3e9), R, "UNIT_VALUE_OUT_OF_RANGE"),
    "members_huge": case(
        unit_value("members_huge", community_teams=2, community_team_members=10**11),
        R,
        "UNIT_VALUE_OUT_OF_RANGE",
    ),
    # sheets reaching far beyond their data
    "far_xfd1048576": case(far_cell("far_xfd", SHEET_STAFF, 1048575, 16383), R, "FILE_TOO_COMPLEX"),
    "far_a1048576": case(far_cell("far_a", SHEET_STAFF, 1048575, 0), R, "FILE_TOO_COMPLEX"),
    "far_column_unit": case(far_cell("far_col", SHEET_UNIT, 0, 16383), R, "FILE_TOO_COMPLEX"),
    "far_xls_worker_abort": case(far_cell_xls("far_xls"), R, "FILE_TOO_COMPLEX"),
    "far_cell_in_renamed_sheet": case(far_cell_elsewhere("far_renamed"), R, "FILE_TOO_COMPLEX"),
    # cells beyond the header on one line: no column of the form, nothing to load from them
    "wide_csv_line": case(_sparse_csv_line, A),
    # oversized and odd content
    "csv_field_140k": case(long_field_csv("csv_long"), R, "CELL_TOO_LONG"),
    "csv_unclosed_quote": case(
        raw_bytes(
            "csv_quote.csv", b'STT,"H\xe1\xbb\x8d v\xc3\xa0 t\xc3\xaan\n1,"' + b"a" * 140_000
        ),
        R,
        "CELL_TOO_LONG",
    ),
    # a NUL inside a name: stored as typed (DuckDB text holds it) or held back by the checks
    "csv_nul_in_name": case(csv_with("csv_nul", "csv_nul.csv", _nul_in_csv), {A, P}),
    "zip_bomb_total": case(zip_bomb("bomb_total", 400 << 20), R, "FILE_CONTENT_TOO_LARGE"),
    "zip_bomb_ratio": case(zip_bomb("bomb_ratio", 8 << 20), R, "FILE_CONTENT_TOO_LARGE"),
    "xml_billion_laughs": case(
        xml_doctype("laughs", BILLION_LAUGHS, "&i;"), R, "FILE_UNREADABLE", "PARSER_FAILED"
    ),
    "xml_external_entity": case(
        xml_doctype("xxe", EXTERNAL_ENTITY, "&xxe;"), R, "FILE_UNREADABLE", "PARSER_FAILED"
    ),
    "ole_container_encrypted": case(ole_container("ole"), R, "FILE_UNREADABLE"),
    "truncated_zip": case(truncated_xlsx("truncated"), R, "FILE_UNREADABLE"),
    "unknown_compression": case(odd_compression("odd_zip"), R, "FILE_UNREADABLE"),
    "empty_xlsx": case(raw_bytes("empty.xlsx", b""), R, "FILE_UNREADABLE"),
    "random_bytes_xlsx": case(
        raw_bytes("random.xlsx", bytes(range(256)) * 64), R, "FILE_UNREADABLE"
    ),
    "pdf_named_csv": case(raw_bytes("scan.csv", b"%PDF-1.7\n\x00\x01\x02"), R, "HEADER_NOT_FOUND"),
    "unit_code_40_digits": case(_far_unit_code, R, "UNIT_UNKNOWN"),
    # names
    "long_name": case(_long_name, R, "FILE_UNREADABLE"),
    "newline_in_name": case(
        raw_bytes("dòng\nmới;$(rm -rf x).pdf", b"%PDF-1.7 x"), R, "FILE_UNSUPPORTED_TYPE"
    ),
    "dash_name": case(raw_bytes("-rf.pdf", b"%PDF-1.7 y"), R, "FILE_UNSUPPORTED_TYPE"),
    "nested_same_name_a": case(_nested("nested_a", "a"), A),
    "nested_same_name_b": case(_nested("nested_b", "b/c/d"), A),
    "same_bytes_other_name": case(_same_bytes_as_good, FileStatus.DUPLICATE),
    "commune_good": case(good_xlsx("commune", COMMUNE), A),
}


def _source(root: Path, path: Path) -> str:
    return str(path.relative_to(root))


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    home = tmp_path_factory.mktemp("hostile") / "home"
    settings = load_settings({"DXWH_HOME": str(home), "DXWH_INBOX_SETTLE_SECONDS": "0"})
    settings.ensure_dirs()
    inbox = settings.inbox_submissions
    for name in GOOD:
        good_xlsx(name.removesuffix(".xlsx"))(inbox)
    sources = {cid: _source(inbox, c.build(inbox)) for cid, c in CASES.items()}
    units = build_registry()
    limits = Limits(seconds=600, memory_bytes=768 << 20)
    with session(settings.build_db) as con:
        first = ingest_submissions(con, settings, units, "night-1", workers=2, limits=limits)
    after_first = snapshot(settings.build_db)
    with session(settings.build_db) as con:
        second = ingest_submissions(con, settings, units, "night-2", workers=2, limits=limits)
    return {
        "settings": settings,
        "sources": sources,
        "first": first,
        "second": second,
        "after_first": after_first,
    }


def _outcome(night: dict[str, object], cid: str) -> tuple[str, str]:
    settings: Settings = night["settings"]  # type: ignore[assignment]
    source = night["sources"][cid]  # type: ignore[index]
    con = duckdb.connect(str(settings.build_db), read_only=True)
    try:
        row = con.execute(
            "select status, sha256 from audit.file_loads where source_file = ?", [source]
        ).fetchone()
    finally:
        con.close()
    assert row is not None, f"{source!r} has no recorded outcome"
    return row[0], row[1]


def _codes(db: Path, where: str, source: str) -> set[str]:
    query = {
        "file": "select error_codes from quarantine.files where source_file = ?",
        "row": "select error_codes from quarantine.rows where source_file = ?",
        # a person's odd value: the person loads, the value is unknown and reported
        "field": "select code from audit.problems where source_file = ? and scope = 'field'",
        "problem": "select code from audit.problems where source_file = ?",
    }[where]
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {c for (codes,) in con.execute(query, [source]).fetchall() for c in codes.split(",")}
    finally:
        con.close()


@pytest.mark.parametrize("cid", sorted(CASES))
def test_hostile_file_has_a_recorded_outcome_and_code(night: dict[str, object], cid: str) -> None:
    expected = CASES[cid]
    settings: Settings = night["settings"]  # type: ignore[assignment]
    source = night["sources"][cid]  # type: ignore[index]

    status, _ = _outcome(night, cid)

    assert status in expected.status
    if expected.codes:
        found = _codes(settings.build_db, expected.where, source)
        assert found & expected.codes, found


def test_the_rest_of_the_batch_loaded(night: dict[str, object]) -> None:
    first: BatchResult = night["first"]  # type: ignore[assignment]
    by_source = {o.source_file: o for o in first.outcomes}

    assert all(by_source[name].status == FileStatus.ACCEPTED for name in GOOD)
    assert all(by_source[name].rows_loaded == 2 for name in GOOD)
    assert len(first.outcomes) == len(CASES) + len(GOOD)


def test_every_file_reconciles(night: dict[str, object]) -> None:
    settings: Settings = night["settings"]  # type: ignore[assignment]
    con = duckdb.connect(str(settings.build_db), read_only=True)
    try:
        mismatches = con.execute(
            """
            select f.source_file, f.rows_read, f.rows_loaded, f.rows_quarantined,
                   (select count(*) from raw.staff_rows s
                    where s.sha256 = f.sha256 and f.status in ('accepted', 'partial')),
                   (select count(*) from quarantine.rows q
                    where q.sha256 = f.sha256 and q.source_file = f.source_file)
            from audit.file_loads f
            where f.rows_read <> f.rows_loaded + f.rows_quarantined
               or (f.status in ('accepted', 'partial') and f.rows_loaded <>
                   (select count(*) from raw.staff_rows s where s.sha256 = f.sha256))
               or f.rows_quarantined <> (select count(*) from quarantine.rows q
                   where q.sha256 = f.sha256 and q.source_file = f.source_file)
            """
        ).fetchall()
        unrecorded = con.execute(
            "select count(*) from raw.submissions s where not exists "
            "(select 1 from audit.file_loads f where f.sha256 = s.sha256)"
        ).fetchone()
    finally:
        con.close()
    assert mismatches == []
    assert unrecorded == (0,)


def test_a_second_night_changes_nothing(night: dict[str, object]) -> None:
    settings: Settings = night["settings"]  # type: ignore[assignment]
    second: BatchResult = night["second"]  # type: ignore[assignment]

    assert second.outcomes == []
    assert snapshot(settings.build_db) == night["after_first"]


def test_a_crashed_reader_keeps_its_traceback(night: dict[str, object]) -> None:
    settings: Settings = night["settings"]  # type: ignore[assignment]
    source = night["sources"]["far_xls_worker_abort"]  # type: ignore[index]
    con = duckdb.connect(str(settings.build_db), read_only=True)
    try:
        errors = con.execute(
            "select code, detail from audit.file_errors where source_file = ?", [source]
        ).fetchall()
    finally:
        con.close()
    assert errors and errors[0][0] == "FILE_TOO_COMPLEX"
    assert "SIG" in errors[0][1]


def test_feedback_names_are_bounded_and_private(night: dict[str, object]) -> None:
    settings: Settings = night["settings"]  # type: ignore[assignment]
    files = [p for p in settings.feedback_dir.rglob("*") if p.is_file()]

    assert files
    assert max(len(p.name.encode()) for p in files) < 255
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files)
    long_source = night["sources"]["long_name"]  # type: ignore[index]
    first: BatchResult = night["first"]  # type: ignore[assignment]
    assert any(o.source_file == long_source for o in first.outcomes)


def test_a_rejected_file_gets_feedback_under_the_unit_code_it_carries(
    night: dict[str, object],
) -> None:
    settings: Settings = night["settings"]  # type: ignore[assignment]

    commune_reports = list((settings.feedback_dir / "20341").glob("teams_3e9*.txt"))

    assert commune_reports, sorted(p.name for p in settings.feedback_dir.iterdir())


def test_no_external_entity_is_ever_expanded(night: dict[str, object]) -> None:
    settings: Settings = night["settings"]  # type: ignore[assignment]
    passwd = Path("/etc/passwd").read_text().splitlines()[0]

    tables = snapshot(settings.build_db)

    assert passwd and passwd not in repr(tables)


def test_what_is_recorded_is_exactly_what_is_archived(night: dict[str, object]) -> None:
    settings: Settings = night["settings"]  # type: ignore[assignment]
    con = duckdb.connect(str(settings.build_db), read_only=True)
    try:
        archived = con.execute("select sha256, archived_path from audit.file_loads").fetchall()
    finally:
        con.close()

    assert all(sha256_of(Path(path)) == sha for sha, path in archived)
    assert all(Path(path).is_relative_to(settings.archive_dir) for _, path in archived)
