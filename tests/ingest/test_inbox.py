"""Every file dropped in the inbox is answered, whatever its type; lock files wait."""

from __future__ import annotations

from pathlib import Path

import duckdb

from core.db import session
from core.settings import Settings
from ingest.registry import build_registry
from ingest.submissions.load import ingest_submissions


def test_unsupported_file_is_archived_and_answered(data_home: Settings) -> None:
    inbox = data_home.inbox_submissions
    (inbox / "bao_cao.pdf").write_bytes(b"%PDF-1.7\n\x00\x01binary")
    (inbox / "~$bao_cao.xlsx").write_bytes(b"lock")
    (inbox / "dang_chep.xlsx.part").write_bytes(b"PK\x03\x04")

    with session(data_home.build_db) as con:
        ingest_submissions(con, data_home, build_registry(), "b", workers=1)

    con = duckdb.connect(str(data_home.build_db), read_only=True)
    assert con.execute("select source_file, error_codes from quarantine.files").fetchall() == [
        ("bao_cao.pdf", "FILE_UNSUPPORTED_TYPE")
    ]
    archived = Path(con.execute("select archived_path from audit.file_loads").fetchone()[0])
    assert archived.read_bytes().startswith(b"%PDF")
    report = next((data_home.feedback_dir / "unknown").glob("bao_cao.pdf.*.txt"))
    assert ".pdf" in report.read_text(encoding="utf-8")
