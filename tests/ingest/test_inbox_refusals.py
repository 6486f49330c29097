"""Refuse before copying: a file over the size limit is refused on its ``stat`` (never hashed
nor archived), and every entry the loader does not take (over-size, symlink, FIFO) gets an
audit row and is named in the run summary the night it appears, once."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
from hostile_files import good_xlsx

from core.settings import Settings
from pipeline.nightly import _landing_lines, step_ingest


def _archive_bytes(settings: Settings) -> int:
    return sum(p.stat().st_size for p in settings.archive_dir.rglob("*") if p.is_file())


def test_entries_not_taken_are_recorded_and_reported_once(
    data_home: Settings, tmp_path: Path
) -> None:
    inbox = data_home.inbox_submissions
    good_xlsx("tot")(inbox)
    with (inbox / "qua_lon.xlsx").open("wb") as handle:
        handle.truncate(2 * 1024 * 1024 * 1024)  # 2 GB, sparse: costs no disk
    (tmp_path / "outside.xlsx").write_bytes(b"secret")
    os.symlink(tmp_path / "outside.xlsx", inbox / "lien_ket.xlsx")
    os.mkfifo(inbox / "ong.xlsx")

    first = step_ingest(data_home, batch_id="night-1")
    second = step_ingest(data_home, batch_id="night-2")

    assert first["files_accepted"] == 1
    assert _archive_bytes(data_home) < 10 * 1024 * 1024  # the 2 GB file was never copied
    named = {entry.split(": ", 1)[0] for entry in first["skipped_new"]}
    assert named == {"qua_lon.xlsx", "lien_ket.xlsx", "ong.xlsx"}
    over = next(e for e in first["skipped_new"] if e.startswith("qua_lon.xlsx"))
    assert "vượt giới hạn kích thước" in over and "2048.0 MB > 20 MB" in over
    assert second["skipped_new"] == []  # the next night: recorded already, not named again

    lines = "\n".join(_landing_lines(first, {}))
    assert "not taken from the inbox (new tonight; audit.inbox_skips): 3" in lines
    assert "not taken from the inbox" not in "\n".join(_landing_lines(second, {}))

    con = duckdb.connect(str(data_home.build_db), read_only=True)
    try:
        rows = con.execute(
            "select source_file, batch_id from audit.inbox_skips order by source_file"
        ).fetchall()
    finally:
        con.close()
    assert rows == [
        ("lien_ket.xlsx", "night-1"),
        ("ong.xlsx", "night-1"),
        ("qua_lon.xlsx", "night-1"),
    ]
