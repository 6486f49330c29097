"""A DTI night killed between a commit and its archive index lines: the retry (same batch id)
indexes what was committed, lands the rest, and leaves what a clean night leaves: the same
tables, the same index, and the night recorded in ``audit.load_batches``."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
from dti_tables import write_csv

from core.db import session
from core.settings import load_settings
from ingest.dti.load import ingest_dti, rebuild_dti_from_archive
from ingest.landing import read_index

RANKING = ("Xếp hạng", "Tỉnh, thành phố", "Điểm DTI")
_VOLATILE = {"loaded_at", "batch_id", "quarantined_at", "archived_path", "archived_sidecar"}
_TABLES = (
    "raw.dti_publications",
    "raw.dti_scores",
    "quarantine.dti_files",
    "quarantine.dti_rows",
    "audit.dti_file_loads",
    "audit.dti_problems",
)

_CRASH = textwrap.dedent(
    """
    import os, signal
    import ingest.loader as load
    from core.db import session
    from core.settings import load_settings
    from ingest.dti.load import ingest_dti

    def die(archive_dir, entries):  # the first batch committed, its index lines not written
        if list(entries):
            os.kill(os.getpid(), signal.SIGKILL)

    load.append_index = die
    load.BATCH_FILES = 3
    settings = load_settings()
    with session(settings.build_db) as con:
        ingest_dti(con, settings, "crashing")
    """
)


def _inbox(folder: Path) -> None:
    folder.mkdir(parents=True)
    for i, year in enumerate(range(2020, 2025)):
        name = f"dti_{year}_63.csv" if i != 3 else "bang_khong_nam.csv"
        path = write_csv(folder / name, RANKING, [("1", "Hà Nội", f"0.{80 + i}")])
        if i == 3:  # a table whose year and basis come from its sidecar
            meta = path.with_name(path.name + ".meta.json")
            meta.write_text(json.dumps({"year": year, "basis": 63}), encoding="utf-8")
        os.utime(path, ns=(1_700_000_000_000_000_000 + i, 1_700_000_000_000_000_000 + i))
    write_csv(folder / "khong_ro.csv", RANKING, [("1", "Hà Nội", "0.7")])  # rejected
    shutil.copy2(folder / "dti_2021_63.csv", folder / "ban_sao.csv")  # a duplicate


def _home(tmp: Path, name: str, source: Path) -> dict[str, str]:
    env = {**os.environ, "DXWH_HOME": str(tmp / name)}
    settings = load_settings(env)
    settings.ensure_dirs()
    shutil.copytree(source, settings.inbox_dti, dirs_exist_ok=True, copy_function=shutil.copy2)
    return env


def _ingest(env: dict[str, str], batch: str) -> None:
    settings = load_settings(env)
    with session(settings.build_db) as con:
        ingest_dti(con, settings, batch)


def _snapshot(env: dict[str, str]) -> dict[str, list[tuple[object, ...]]]:
    con = duckdb.connect(str(load_settings(env).build_db), read_only=True)
    tables = {}
    for table in _TABLES:
        columns = [
            c for (c,) in con.execute(f"select column_name from (describe {table})").fetchall()
        ]
        keep = ", ".join(c for c in columns if c not in _VOLATILE)
        tables[table] = con.execute(f"select {keep} from {table} order by all").fetchall()
    con.close()
    return tables


def _batches(env: dict[str, str]) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(load_settings(env).build_db), read_only=True)
    rows = con.execute(
        "select batch_id, n_files_seen, n_files_new, finished_at is not null "
        "from audit.load_batches order by all"
    ).fetchall()
    con.close()
    return rows


def test_killed_dti_night_is_indexed_and_finished_by_its_retry(tmp_path: Path) -> None:
    source = tmp_path / "inbox"
    _inbox(source)
    clean = _home(tmp_path, "clean", source)
    crashed = _home(tmp_path, "crashed", source)
    _ingest(clean, "clean")

    proc = subprocess.run([sys.executable, "-c", _CRASH], env=crashed, capture_output=True)

    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    archive_dir = load_settings(crashed).archive_dir
    assert read_index(archive_dir, "dti") == []  # committed, never indexed
    assert len(_snapshot(crashed)["audit.dti_file_loads"]) == 3
    _ingest(crashed, "crashing")  # a retry keeps the batch id

    assert _snapshot(crashed) == _snapshot(clean)
    indexed = read_index(archive_dir, "dti")
    assert indexed == read_index(load_settings(clean).archive_dir, "dti")
    assert len(indexed) == 7 and sum(1 for e in indexed if e.sidecar) == 1
    assert _batches(crashed) == [("crashing:dti", 7, 4, True)]
    assert _batches(clean) == [("clean:dti", 7, 7, True)]
    # the archive alone gives the tables back, the sidecar read with its table
    settings = load_settings(crashed)
    settings.build_db.unlink()
    with session(settings.build_db) as con:
        rebuild_dti_from_archive(con, settings, "rebuild")
    assert _snapshot(crashed) == _snapshot(clean)
