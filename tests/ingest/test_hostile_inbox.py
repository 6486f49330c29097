"""The inbox as a hostile drop folder, and the worker processes that contain each file.

Symlinks are never followed, FIFOs and devices are skipped, a file still being written is left
for later or loaded exactly as archived, private data is private whatever the umask, retries
with the same batch id start cleanly, and the landing tables come back from the archive alone.
"""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from hostile_files import far_cell_xls, good_xlsx, person, snapshot
from submission_files import PEOPLE, UNIT, flat_grid, standard_sheets, write_csv, write_xlsx

from core.db import ensure_landing_tables, session
from core.settings import Settings, load_settings
from core.vocabulary import FileStatus
from ingest.landing import archive, read_index, scan_inbox, sha256_of
from ingest.registry import build_registry
from ingest.submissions.load import BatchResult, ingest_submissions, rebuild_from_archive
from ingest.submissions.reader import read_submission
from ingest.workers import (
    PARSER_FAILED,
    TIMEOUT,
    TOO_COMPLEX,
    Answered,
    Failure,
    Limits,
    run_contained,
)

UNITS = build_registry()


def _ingest(settings: Settings, batch: str = "b", **kwargs: object) -> BatchResult:
    with session(settings.build_db) as con:
        return ingest_submissions(con, settings, UNITS, batch, workers=1, **kwargs)  # type: ignore[arg-type]


def _statuses(settings: Settings) -> dict[str, str]:
    con = duckdb.connect(str(settings.build_db), read_only=True)
    try:
        return dict(con.execute("select source_file, status from audit.file_loads").fetchall())
    finally:
        con.close()


# --- symlinks, FIFOs, devices -------------------------------------------------------------


def test_a_symlink_to_a_file_outside_is_not_followed(data_home: Settings, tmp_path: Path) -> None:
    secret = tmp_path / "shadow.csv"
    secret.write_text("root:secret-hash:19000:0:99999:7:::\n")
    (data_home.inbox_submissions / "x.csv").symlink_to(secret)
    good_xlsx("good")(data_home.inbox_submissions)

    result = _ingest(data_home)

    assert _statuses(data_home) == {"good.xlsx": "accepted"}
    assert ("x.csv", "symlink: not followed") in result.skipped
    archived = [p for p in data_home.archive_dir.rglob("*") if p.is_file()]
    assert not any(b"secret-hash" in p.read_bytes() for p in archived)


def test_a_symlinked_folder_is_not_walked(data_home: Settings, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    good_xlsx("outside_file")(outside)
    (data_home.inbox_submissions / "linked").symlink_to(outside, target_is_directory=True)

    result = _ingest(data_home)

    assert _statuses(data_home) == {}
    assert [reason for _, reason in result.skipped] == ["symlink to a folder: not followed"]


def test_a_fifo_is_skipped_and_does_not_hang_the_night(data_home: Settings) -> None:
    os.mkfifo(data_home.inbox_submissions / "pipe.csv")
    good_xlsx("good")(data_home.inbox_submissions)

    result = _ingest(data_home)

    assert _statuses(data_home) == {"good.xlsx": "accepted"}
    assert result.skipped == [("pipe.csv", "not a regular file (FIFO, device or socket)")]


def test_check_on_a_fifo_answers_instead_of_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)

    parsed = read_submission(fifo)
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "check", str(fifo)],
        capture_output=True,
        timeout=300,  # a ceiling only: a hang would be forever
        env={**os.environ, "DXWH_HOME": str(tmp_path / "home")},
    )

    assert [p.code for p in parsed.problems] == ["FILE_UNREADABLE"]
    assert proc.returncode == 1
    assert "FILE_UNREADABLE" in proc.stdout.decode()


def test_check_contains_a_file_that_aborts_the_reader(tmp_path: Path) -> None:
    path = far_cell_xls("check_abort")(tmp_path)

    proc = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "check", "--lang", "en", str(path)],
        capture_output=True,
        timeout=600,  # a ceiling only
        env={**os.environ, "DXWH_HOME": str(tmp_path / "home"), "DXWH_WORKER_MEMORY_MB": "768"},
    )

    assert proc.returncode == 1, proc.stderr.decode()[-2000:]
    assert "REJECTED" in proc.stdout.decode() and "FILE_TOO_COMPLEX" in proc.stdout.decode()


def test_a_symlink_to_a_device_is_skipped(data_home: Settings) -> None:
    (data_home.inbox_submissions / "null.csv").symlink_to(Path("/dev/zero"))

    result = _ingest(data_home)

    assert _statuses(data_home) == {}
    assert result.skipped == [("null.csv", "symlink: not followed")]


def test_a_socket_is_skipped(data_home: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(data_home.inbox_submissions)  # a relative name: socket paths are short
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind("portal.csv")

        result = _ingest(data_home)

    assert _statuses(data_home) == {}
    assert result.skipped == [("portal.csv", "not a regular file (FIFO, device or socket)")]


def test_hidden_lock_and_partial_files_wait(data_home: Settings) -> None:
    inbox = data_home.inbox_submissions
    (inbox / ".hidden.xlsx").write_bytes(b"PK")
    (inbox / "~$lock.xlsx").write_bytes(b"lock")
    (inbox / "copying.xlsx.crdownload").write_bytes(b"PK\x03\x04")

    result = _ingest(data_home)

    assert result.outcomes == [] and result.files_seen == 0


# --- files still arriving -----------------------------------------------------------------


def test_a_file_modified_just_now_is_taken_once_it_is_unchanged(data_home: Settings) -> None:
    path = good_xlsx("fresh")(data_home.inbox_submissions)
    future = path.stat().st_mtime_ns + 3_600 * 10**9  # "modified in an hour": not settled
    os.utime(path, ns=(future, future))
    settings = load_settings(
        {"DXWH_HOME": str(data_home.home), "DXWH_INBOX_SETTLE_SECONDS": "0.05"}
    )

    _ingest(settings)

    assert _statuses(settings) == {"fresh.xlsx": "accepted"}


@pytest.fixture
def growing_csv(data_home: Settings) -> Iterator[Path]:
    """A CSV that a thread keeps appending rows to until the test ends."""
    path = data_home.inbox_submissions / "growing.csv"
    grid = flat_grid(UNIT, [person("growing"), PEOPLE[1]])
    write_csv(path, grid, "utf-8")
    line = ",".join(str(v) for v in grid[-1]) + "\r\n"
    stop = threading.Event()

    def append() -> None:
        n = 0
        while not stop.is_set():
            with path.open("a", encoding="utf-8") as handle:
                handle.write(line.replace("Lê Văn Cường", f"Người Thêm {n}"))
            n += 1
            stop.wait(0.001)

    writer = threading.Thread(target=append, daemon=True)
    writer.start()
    yield path
    stop.set()
    writer.join()


def test_a_growing_file_loads_exactly_what_was_archived(
    data_home: Settings, growing_csv: Path
) -> None:
    result = _ingest(data_home)

    status = _statuses(data_home).get("growing.csv")
    if status is None:  # seen changing: left for the next run
        assert [s for s, _ in result.skipped] == ["growing.csv"]
        return
    con = duckdb.connect(str(data_home.build_db), read_only=True)
    archived, rows = con.execute(
        "select archived_path, rows_read from audit.file_loads where source_file = 'growing.csv'"
    ).fetchone()
    con.close()
    archived_lines = [
        line for line in Path(archived).read_text(encoding="utf-8").splitlines() if line
    ]
    assert rows == len(archived_lines) - 1  # the header


# --- private data -------------------------------------------------------------------------


def test_private_data_is_private_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        settings = load_settings(
            {"DXWH_HOME": str(tmp_path / "home"), "DXWH_INBOX_SETTLE_SECONDS": "0"}
        )
        settings.ensure_dirs()
        write_xlsx(
            settings.inbox_submissions / "bad.xlsx",
            standard_sheets({**UNIT, "unit_name": ""}, [person("private")]),
        )
        _ingest(settings)
    finally:
        os.umask(old)

    def mode(p: Path) -> int:
        return stat.S_IMODE(p.stat().st_mode)

    private = [settings.archive_dir, settings.build_db.parent, settings.feedback_dir]
    private += [p for root in private for p in root.rglob("*")]
    assert {oct(mode(p)) for p in private if p.is_dir()} == {"0o700"}
    assert {oct(mode(p)) for p in private if p.is_file()} == {"0o600"}
    assert mode(settings.home) == 0o711
    assert mode(settings.published_dir) & 0o005 == 0o005  # published stays readable


# --- retries and recovery -----------------------------------------------------------------


def test_a_retry_with_the_same_batch_id_starts_cleanly(data_home: Settings) -> None:
    good_xlsx("first")(data_home.inbox_submissions)
    _ingest(data_home, "airflow-run-1")
    good_xlsx("second")(data_home.inbox_submissions)

    retried = _ingest(data_home, "airflow-run-1")

    assert [o.source_file for o in retried.outcomes] == ["second.xlsx"]
    con = duckdb.connect(str(data_home.build_db), read_only=True)
    batches = con.execute("select batch_id, n_files_new from audit.load_batches").fetchall()
    con.close()
    assert batches == [("airflow-run-1", 1)]


def test_the_landing_tables_come_back_from_the_archive_alone(data_home: Settings) -> None:
    inbox = data_home.inbox_submissions
    for i, name in enumerate(("a.xlsx", "b.xlsx", "sub/a.xlsx")):
        path = good_xlsx(f"rebuild{i}")(inbox)
        if name != path.name:
            (inbox / name).parent.mkdir(parents=True, exist_ok=True)
            path.rename(inbox / name)
    (inbox / "copy.xlsx").write_bytes((inbox / "a.xlsx").read_bytes())
    write_xlsx(inbox / "bad.xlsx", standard_sheets({**UNIT, "unit_code": ""}, [person("bad")]))
    (inbox / "stt.xlsx").write_bytes(
        write_xlsx(
            inbox / ".t.xlsx", standard_sheets(UNIT, [person("stt", row_no=1e10)])
        ).read_bytes()
    )
    (inbox / ".t.xlsx").unlink()
    _ingest(data_home)
    before = snapshot(data_home.build_db)
    entries = read_index(data_home.archive_dir, "submissions")
    data_home.build_db.unlink()
    for name in list(inbox.rglob("*")):  # the inbox is gone too
        if name.is_file():
            name.unlink()

    with session(data_home.build_db) as con:
        rebuilt = rebuild_from_archive(con, data_home, UNITS, "rebuild", workers=1)
    with session(data_home.build_db) as con:
        again = rebuild_from_archive(con, data_home, UNITS, "rebuild-2", workers=1)

    assert [e.arrival_seq for e in entries] == [1, 2, 3, 4, 5, 6]
    assert {e.status for e in entries} == {"accepted", "partial", "rejected", "duplicate"}
    assert len(rebuilt.outcomes) == 6 and again.outcomes == []
    assert snapshot(data_home.build_db) == before


def test_the_index_catches_up_after_a_run_killed_before_indexing(data_home: Settings) -> None:
    good_xlsx("one")(data_home.inbox_submissions)
    _ingest(data_home)
    (data_home.archive_dir / "index.jsonl").unlink()  # as if killed between commit and index

    _ingest(data_home, "next")

    assert [e.source_file for e in read_index(data_home.archive_dir)] == ["one.xlsx"]


# --- the worker processes -----------------------------------------------------------------


def test_a_worker_that_raises_fails_that_task_only() -> None:
    results = list(run_contained(int, ["1", "x", "3"], workers=2))

    assert results[0] == 1 and results[2] == 3
    assert isinstance(results[1], Failure) and results[1].code == PARSER_FAILED
    assert "ValueError" in results[1].detail and "Traceback" in (results[1].traceback or "")


def test_a_worker_that_exits_fails_that_task_only() -> None:
    results = list(run_contained(os._exit, [3], workers=1))
    after = list(run_contained(abs, [-1, -2], workers=1))

    assert isinstance(results[0], Failure) and results[0].code == PARSER_FAILED
    assert "exited with code 3" in results[0].detail
    assert after == [1, 2]


def test_tasks_queued_behind_a_dying_task_go_to_its_successor() -> None:
    import signal

    # SIGCHLD is ignored (the call returns None); SIGKILL ends the worker. Several tasks are
    # queued at the one worker when the second kills it: only that task fails.
    signals = [
        signal.SIGCHLD,
        signal.SIGKILL,
        *[signal.SIGCHLD] * 6,
        signal.SIGKILL,
        signal.SIGCHLD,
    ]
    results = list(run_contained(signal.raise_signal, signals, workers=1))

    failed = [i for i, r in enumerate(results) if isinstance(r, Failure)]
    assert failed == [1, 8]
    assert all(results[i] is None for i in range(len(signals)) if i not in failed)
    assert "SIGKILL" in results[1].detail


def test_answered_items_keep_their_place_between_worker_results() -> None:
    tasks = (Answered(f"known {i}") if i % 3 == 0 else -i for i in range(9))

    results = list(run_contained(abs, tasks, workers=2))

    assert results == ["known 0", 1, 2, "known 3", 4, 5, "known 6", 7, 8]


def test_a_night_of_answered_items_starts_no_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    import ingest.workers

    def no_worker(*args: object) -> None:
        raise AssertionError("a worker was started")

    monkeypatch.setattr(ingest.workers, "_Worker", no_worker)

    assert list(run_contained(abs, [Answered(1), Answered(2)])) == [1, 2]
    assert list(run_contained(abs, iter([]))) == []


def test_a_task_past_its_time_limit_is_stopped(tmp_path: Path) -> None:
    import time

    # a limit well above what an instant task costs on a loaded machine, and far below 3600 s
    tasks = [3600, 0, 0, 0]
    results = list(run_contained(time.sleep, tasks, workers=1, limits=Limits(seconds=3)))

    assert isinstance(results[0], Failure) and results[0].code == TIMEOUT
    assert results[1:] == [None] * 3  # the tasks queued behind it ran in a fresh worker


def test_a_task_past_its_memory_limit_is_stopped() -> None:
    results = list(
        run_contained(bytearray, [1 << 34, 10], workers=1, limits=Limits(memory_bytes=1 << 30))
    )

    assert isinstance(results[0], Failure) and results[0].code == TOO_COMPLEX
    assert results[1] == bytearray(10)


def test_a_slow_file_times_out_and_the_batch_goes_on(data_home: Settings) -> None:
    people = [person(f"slow{i}", full_name=f"Người Chậm {i}") for i in range(20_000)]
    write_csv(data_home.inbox_submissions / "slow.csv", flat_grid(UNIT, people), "utf-8")
    good_xlsx("quick")(data_home.inbox_submissions)

    result = _ingest(data_home, limits=Limits(seconds=0.5))

    by_source = {o.source_file: o for o in result.outcomes}
    assert by_source["quick.xlsx"].status == FileStatus.ACCEPTED
    assert by_source["slow.csv"].status == FileStatus.REJECTED
    assert by_source["slow.csv"].error_code == TIMEOUT
    con = duckdb.connect(str(data_home.build_db), read_only=True)
    codes = con.execute("select error_codes from quarantine.files").fetchall()
    con.close()
    assert codes == [("FILE_TIMEOUT",)]


def test_a_file_the_database_refuses_is_rejected_and_the_batch_goes_on(
    data_home: Settings,
) -> None:
    inbox = data_home.inbox_submissions
    clash = good_xlsx("clash")(inbox)
    good_xlsx("fine")(inbox)
    sha = sha256_of(clash)
    with session(data_home.build_db) as con:  # a row left behind by hand, under the same key
        ensure_landing_tables(con)
        con.execute(
            "insert into raw.submissions (sha256, unit_code, period_id, template_version, "
            "source_file, sheet, arrival_seq, loaded_at, batch_id) "
            "values (?, 'x', 'x', 'v1', 'x', 'x', 0, now(), 'by-hand')",
            [sha],
        )

    result = _ingest(data_home)

    by_source = {o.source_file: o for o in result.outcomes}
    assert by_source["fine.xlsx"].status == FileStatus.ACCEPTED
    assert by_source["clash.xlsx"].status == FileStatus.REJECTED
    assert by_source["clash.xlsx"].error_code == PARSER_FAILED
    con = duckdb.connect(str(data_home.build_db), read_only=True)
    errors = con.execute("select detail, traceback from audit.file_errors").fetchall()
    con.close()
    assert errors[0][0] == "write refused" and "Constraint" in errors[0][1]


def test_a_file_changed_after_the_scan_is_left_for_later(data_home: Settings) -> None:
    inbox = data_home.inbox_submissions
    path = good_xlsx("changing")(inbox)
    scanned = scan_inbox(inbox, lambda name: True).files[0]
    with path.open("ab") as handle:  # still being written after the scan
        handle.write(b"\0" * 10)

    copied = archive(path, None, data_home.archive_dir, scanned=scanned)
    expected_sha = archive(path, "0" * 64, data_home.archive_dir)

    assert copied is None and expected_sha is None
    assert not [p for p in data_home.archive_dir.rglob("*") if p.is_file()]
