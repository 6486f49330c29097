"""A disk that fills under the archive during a night (a real one: a small tmpfs mounted on the
archive folder) stops only the files it cannot take. The night goes on; each file left behind
stays in the inbox with an audit row saying why; once there is room, the next night loads them
and writes the archive index lines the full disk kept out, and the tables are a clean night's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from submission_files import PEOPLE, UNIT, standard_sheets, write_xlsx

from core.db import session
from core.settings import Settings, load_settings
from ingest.landing import read_index
from ingest.registry import build_registry
from ingest.submissions.load import ingest_submissions

N_FILES = 30


def _inbox(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(N_FILES):
        person = {**PEOPLE[0], "full_name": f"Người Thứ {i}", "birth_year": 1960 + i}
        write_xlsx(folder / f"f{i:02}.xlsx", standard_sheets(UNIT, [person, PEOPLE[1]]))


def _settings(home: Path) -> Settings:
    settings = load_settings({**os.environ, "DXWH_HOME": str(home)})
    settings.ensure_dirs()
    return settings


def _night(settings: Settings, batch: str) -> None:
    with session(settings.build_db) as con:
        ingest_submissions(con, settings, build_registry(), batch, workers=1)


def _loads(settings: Settings) -> list[tuple[object, ...]]:
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        return con.execute(
            "select source_file, sha256, status, rows_loaded from audit.file_loads order by all"
        ).fetchall()


def _mount(target: Path, options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def full_archive(tmp_path: Path) -> Iterator[Settings]:
    """A data home whose archive folder is a 64 KiB tmpfs: room for a few workbooks only."""
    settings = _settings(tmp_path / "home")
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("filling a real disk needs root to mount a small tmpfs")
    mounted = _mount(settings.archive_dir, "size=64k,mode=0700")
    if mounted.returncode != 0:
        pytest.skip(f"this host does not let root mount a tmpfs: {mounted.stderr.strip()}")
    try:
        yield settings
    finally:
        subprocess.run(["umount", "-l", str(settings.archive_dir)], check=False)


def test_a_full_archive_disk_stops_files_not_the_night(
    full_archive: Settings, tmp_path: Path
) -> None:
    settings = full_archive
    _inbox(settings.inbox_submissions)
    clean = _settings(tmp_path / "clean")
    _inbox(clean.inbox_submissions)
    _night(clean, "clean-night")

    _night(settings, "night-1")  # the disk fills during the night: no exception

    loaded = _loads(settings)
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        skips = con.execute(
            "select source_file, reason from audit.inbox_skips order by all"
        ).fetchall()
    assert 0 < len(loaded) < N_FILES, "some files fit, the rest did not"
    # every file not taken is on record with the reason, and still in the inbox
    not_taken = {f"f{i:02}.xlsx" for i in range(N_FILES)} - {str(row[0]) for row in loaded}
    assert {name for name, _ in skips} == not_taken
    assert all("No space left on device" in reason for _, reason in skips)
    assert all((settings.inbox_submissions / name).is_file() for name in not_taken)

    remounted = _mount(settings.archive_dir, "remount,size=16m")
    assert remounted.returncode == 0, remounted.stderr
    _night(settings, "night-2")

    assert _loads(settings) == _loads(clean)
    indexed = {(e.source_file, e.sha256) for e in read_index(settings.archive_dir, "submissions")}
    assert indexed == {(name, sha) for name, sha, _, _ in _loads(settings)}
