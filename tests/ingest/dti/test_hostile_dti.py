"""Hostile DTI files: broken sidecars, oversized pages, far-away cells, symlinks, FIFOs and
retries each end in a recorded outcome; the good publication of the same night loads, rows
reconcile, and a second night changes nothing. The landing tables come back from the archive.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest
import xlsxwriter
from dti_tables import write_csv

from core.db import session
from core.settings import Settings, load_settings
from ingest.dti.load import DtiBatchResult, ingest_dti, rebuild_dti_from_archive
from ingest.dti.readers import MAX_DTI_BYTES

RANKING = ("Xếp hạng", "Tỉnh, thành phố", "Điểm DTI")
TABLES = (
    "raw.dti_publications",
    "raw.dti_scores",
    "quarantine.dti_files",
    "quarantine.dti_rows",
    "audit.dti_file_loads",
    "audit.dti_problems",
    "audit.file_errors",
)
_VOLATILE = {"loaded_at", "batch_id", "quarantined_at", "archived_path", "recorded_at"}


def _good(inbox: Path, name: str = "dti_2023_63.csv") -> Path:
    return write_csv(inbox / name, RANKING, [("1", "Đà Nẵng", "0.834"), ("2", "Hà Nội", "0.82")])


def _sidecar(inbox: Path, name: str, content: bytes) -> Path:
    """A ranking without year or basis, and a sidecar; scores differ per file (no duplicates)."""
    score = 0.3 + sum(name.encode()) % 100 / 1000
    rows = [("1", "Huế", f"{score:.3f}"), ("2", "Hải Phòng", f"{score - 0.01:.3f}")]
    path = write_csv(inbox / name, RANKING, rows)
    path.with_name(path.name + ".meta.json").write_bytes(content)
    return path


def _far_xlsx(inbox: Path) -> Path:
    path = inbox / "dti_2022_63_far.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Bang")
    for i, row in enumerate([RANKING, ("1", "Đà Nẵng", 0.8)]):
        for j, value in enumerate(row):
            sheet.write(i, j, value)
    sheet.write_string(1048575, 16383, "x")
    workbook.close()
    return path


def _too_large(inbox: Path) -> Path:
    path = inbox / "dti_2021_63_saved_page.html"
    with path.open("wb") as handle:
        handle.truncate(MAX_DTI_BYTES + 1)  # sparse: costs no disk
    return path


# case -> (build, status, code in quarantine.dti_files / audit.dti_problems, detail fragment)
CASES = {
    "sidecar_not_json": (
        lambda d: _sidecar(d, "bang_a.csv", b"{year: 2023,"),
        "rejected",
        "METADATA_INVALID",
        "JSON",
    ),
    "sidecar_year_fraction": (
        lambda d: _sidecar(d, "bang_phan_so.csv", b'{"year": 2024.9, "basis": 63}'),
        "rejected",
        "METADATA_INVALID",
        "integer",
    ),
    "sidecar_year_with_text": (
        lambda d: _sidecar(d, "bang_chen_chu.csv", b'{"year": "2024; drop table x", "basis": 63}'),
        "rejected",
        "METADATA_INVALID",
        "integer",
    ),
    "sidecar_is_a_list": (
        lambda d: _sidecar(d, "bang_b.csv", b"[2023, 63]"),
        "rejected",
        "METADATA_INVALID",
        "list",
    ),
    "sidecar_not_utf8": (
        lambda d: _sidecar(d, "bang_c.csv", b'{"year": "\xff\xfe"}'),
        "rejected",
        "METADATA_INVALID",
        "JSON",
    ),
    "sidecar_huge": (
        lambda d: _sidecar(d, "bang_d.csv", b'{"year": 2023, "pad": "' + b"x" * 100_000 + b'"}'),
        "rejected",
        "METADATA_INVALID",
        "too large",
    ),
    "sidecar_text_year": (
        lambda d: _sidecar(d, "bang_e.csv", b'{"year": "hai nghin", "basis": 63}'),
        "rejected",
        "YEAR_MISSING",
        "",
    ),
    "far_cell_xlsx": (_far_xlsx, "rejected", "FILE_UNREADABLE", "FILE_TOO_COMPLEX"),
    "csv_field_too_long": (
        lambda d: (
            (d / "dti_2024_34_long.csv").write_text(
                "Tỉnh,DTI\n" + '"' + "x" * 140_000 + '",1\n', encoding="utf-8"
            )
            and d / "dti_2024_34_long.csv"
        ),
        "rejected",
        "FILE_UNREADABLE",
        "field",
    ),
    "html_entity_bomb": (
        lambda d: (
            (d / "dti_2020_63_bomb.html").write_text(
                '<!DOCTYPE html [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
                '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><html><body><p>&c;</p></body></html>',
                encoding="utf-8",
            )
            and d / "dti_2020_63_bomb.html"
        ),
        "rejected",
        "TABLE_NOT_FOUND",
        "",
    ),
}


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    home = tmp_path_factory.mktemp("hostile-dti") / "home"
    settings = load_settings({"DXWH_HOME": str(home), "DXWH_INBOX_SETTLE_SECONDS": "0"})
    settings.ensure_dirs()
    inbox = settings.inbox_dti
    good = _good(inbox)
    sources = {cid: str(build(inbox).relative_to(inbox)) for cid, (build, *_) in CASES.items()}
    os.symlink("/etc/passwd", inbox / "dti_2023_34_link.csv")
    os.mkfifo(inbox / "dti_2023_34_pipe.csv")
    _too_large(inbox)  # refused on its size before it is read or archived
    with session(settings.build_db) as con:
        first = ingest_dti(con, settings, "night-1")
    after_first = _snapshot(settings.build_db)
    with session(settings.build_db) as con:
        second = ingest_dti(con, settings, "night-1")  # an Airflow retry keeps the run id
    return {
        "settings": settings,
        "sources": sources,
        "good": good.name,
        "first": first,
        "second": second,
        "after_first": after_first,
    }


def _snapshot(db: Path) -> dict[str, list[tuple[object, ...]]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for table in TABLES:
            columns = [
                c for (c,) in con.execute(f"select column_name from (describe {table})").fetchall()
            ]
            keep = ", ".join(c for c in columns if c not in _VOLATILE)
            out[table] = con.execute(f"select {keep} from {table} order by all").fetchall()
        return out
    finally:
        con.close()


def _query(settings: Settings, sql: str, params: list[object]) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(settings.build_db), read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("cid", sorted(CASES))
def test_hostile_dti_file_has_a_recorded_outcome(night: dict[str, object], cid: str) -> None:
    settings: Settings = night["settings"]  # type: ignore[assignment]
    source = night["sources"][cid]  # type: ignore[index]
    _, status, code, detail = CASES[cid]

    loads = _query(
        settings, "select status from audit.dti_file_loads where source_file = ?", [source]
    )
    problems = _query(
        settings,
        "select check_code, message_en from audit.dti_problems where source_file = ?",
        [source],
    )

    assert loads == [(status,)]
    assert any(c == code and detail in message for c, message in problems), problems


def test_the_good_publication_of_the_night_loaded(night: dict[str, object]) -> None:
    first: DtiBatchResult = night["first"]  # type: ignore[assignment]
    by_source = {o.source_file: o for o in first.outcomes}

    assert by_source[night["good"]].status == "accepted"  # type: ignore[index]
    assert by_source[night["good"]].rows_loaded == 2  # type: ignore[index]
    assert len(first.outcomes) == len(CASES) + 1


def test_symlinks_fifos_and_oversized_files_are_skipped_and_reported_once(
    night: dict[str, object],
) -> None:
    first: DtiBatchResult = night["first"]  # type: ignore[assignment]
    second: DtiBatchResult = night["second"]  # type: ignore[assignment]
    settings: Settings = night["settings"]  # type: ignore[assignment]

    reasons = dict(first.skipped)
    assert reasons["dti_2023_34_link.csv"] == "symlink: not followed"
    assert reasons["dti_2023_34_pipe.csv"] == "not a regular file (FIFO, device or socket)"
    assert "over the size limit: not archived" in reasons["dti_2021_63_saved_page.html"]
    assert len(reasons) == 3
    # an audit row each, the first night only; the next night skips them silently
    assert sorted(first.skipped_new) == sorted(first.skipped)
    assert sorted(second.skipped) == sorted(first.skipped) and second.skipped_new == []
    recorded = _query(
        settings, "select source_file from audit.inbox_skips where loader = 'dti'", []
    )
    assert sorted(s for (s,) in recorded) == sorted(reasons)
    archived = sum(p.stat().st_size for p in settings.archive_dir.rglob("*") if p.is_file())
    assert archived < MAX_DTI_BYTES  # the 30 MB page never reached the archive


def test_dti_rows_reconcile(night: dict[str, object]) -> None:
    settings: Settings = night["settings"]  # type: ignore[assignment]
    bad = _query(
        settings,
        """
        select f.source_file from audit.dti_file_loads f
        where f.rows_read <> f.rows_loaded + f.rows_quarantined
           or f.rows_loaded <> (select count(*) from raw.dti_scores s
                                where s.publication_id = f.sha256 and f.status <> 'rejected')
        """,
        [],
    )
    assert bad == []


def test_a_retried_dti_night_changes_nothing(night: dict[str, object]) -> None:
    settings: Settings = night["settings"]  # type: ignore[assignment]
    second: DtiBatchResult = night["second"]  # type: ignore[assignment]

    assert second.outcomes == []
    assert _snapshot(settings.build_db) == night["after_first"]


def test_dti_tables_come_back_from_the_archive(data_home: Settings) -> None:
    inbox = data_home.inbox_dti
    _good(inbox)
    _sidecar(inbox, "bang_xep_hang.csv", '{"year": 2024, "basis": 34, "source": "Bộ"}'.encode())
    _sidecar(inbox, "bang_loi.csv", b"[1]")
    with session(data_home.build_db) as con:
        ingest_dti(con, data_home, "b")
    before = _snapshot(data_home.build_db)
    data_home.build_db.unlink()
    for path in list(inbox.iterdir()):
        path.unlink()

    with session(data_home.build_db) as con:
        rebuilt = rebuild_dti_from_archive(con, data_home, "rebuild")

    assert {o.status for o in rebuilt.outcomes} == {"accepted", "rejected"}
    assert _snapshot(data_home.build_db) == before
