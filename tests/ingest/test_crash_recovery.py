"""A crash in the middle of a batch leaves no half-loaded file; running again (with the same
batch id, as an Airflow retry does) gives the tables a clean run gives.

The ingest runs in a real subprocess, three files per transaction, that is killed with SIGKILL
while the second batch's rows are written inside its open transaction. Its reader workers must
not outlive it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
from submission_files import PEOPLE, UNIT, standard_sheets, write_xlsx

from core.db import session
from core.settings import load_settings
from ingest.registry import build_registry
from ingest.submissions.load import ingest_submissions

# Columns that name the run (batch, clock, data home) rather than the data.
_VOLATILE = {"loaded_at", "batch_id", "quarantined_at", "archived_path"}
_TABLES = (
    "raw.submissions",
    "raw.staff_rows",
    "quarantine.files",
    "quarantine.rows",
    "audit.file_loads",
    "audit.problems",
)

_CRASH = textwrap.dedent(
    """
    import os, signal
    import ingest.loader as load
    from ingest.registry import build_registry
    from ingest.submissions.load import ingest_submissions
    from core.db import session
    from core.settings import load_settings

    original = load.append_blocks
    calls = []

    def append_then_die(con, table, blocks):
        n = original(con, table, blocks)
        if table == "audit.file_loads":
            calls.append(1)
            if len(calls) == 2:  # the second batch's rows written, transaction still open
                os.kill(os.getpid(), signal.SIGKILL)
        return n

    load.append_blocks = append_then_die
    load.BATCH_FILES = 3
    settings = load_settings()
    with session(settings.build_db) as con:
        ingest_submissions(con, settings, build_registry(), "crashing", workers=1)
    """
)


def _processes_with(marker: bytes) -> list[int]:
    """Live processes whose environment holds ``marker`` (the crashed run's data home)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().split(") ")[-1][:1]
        except OSError:
            continue
        if marker in environ.split(b"\0") and state != "Z":
            pids.append(int(entry.name))
    return pids


def _wait_until(condition: Callable[[], bool], ceiling: float = 60.0) -> bool:
    deadline = time.monotonic() + ceiling
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _inbox(folder: Path) -> None:
    for i in range(7):
        person = {**PEOPLE[i % 2], "full_name": f"Người Thứ {i}", "birth_year": 1975 + i}
        if i == 2:
            person["birth_year"] = 1890
        unit = {
            **UNIT,
            "period": "2024-H1" if i > 3 else "Năm 2023",
            "submitted_on": f"{i + 1}/2/2024",
        }
        path = write_xlsx(folder / f"f{i}.xlsx", standard_sheets(unit, [person, PEOPLE[1]]))
        os.utime(path, ns=(1_700_000_000_000_000_000 + i, 1_700_000_000_000_000_000 + i))
    shutil.copy2(folder / "f1.xlsx", folder / "f1_again.xlsx")  # a duplicate


def _home(tmp: Path, name: str, source: Path) -> dict[str, str]:
    env = {**os.environ, "DXWH_HOME": str(tmp / name)}
    settings = load_settings(env)
    settings.ensure_dirs()
    shutil.copytree(
        source, settings.inbox_submissions, dirs_exist_ok=True, copy_function=shutil.copy2
    )
    return env


def _ingest(env: dict[str, str], batch: str) -> None:
    settings = load_settings(env)
    with session(settings.build_db) as con:
        ingest_submissions(con, settings, build_registry(), batch, workers=1)


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


def test_killed_batch_then_rerun_equals_clean_run(tmp_path: Path) -> None:
    source = tmp_path / "inbox"
    _inbox(source)
    clean = _home(tmp_path, "clean", source)
    crashed = _home(tmp_path, "crashed", source)
    _ingest(clean, "clean")

    proc = subprocess.run([sys.executable, "-c", _CRASH], env=crashed, capture_output=True)

    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    marker = f"DXWH_HOME={crashed['DXWH_HOME']}".encode()
    assert _wait_until(lambda: not _processes_with(marker)), _processes_with(marker)
    half = _snapshot(crashed)
    # the first batch (f0, f1 and its duplicate) committed; the second was being written and
    # is gone entirely
    assert [r[0] for r in half["audit.file_loads"]] == ["f0.xlsx", "f1.xlsx", "f1_again.xlsx"]
    assert {r[0] for r in half["raw.staff_rows"]} == {r[0] for r in half["raw.submissions"]}
    _ingest(crashed, "crashing")  # a retry keeps the batch id
    assert _snapshot(crashed) == _snapshot(clean)
    assert len(_snapshot(clean)["audit.file_loads"]) == 8
