"""What ``dxwh run`` shows on the terminal: a few progress lines, the summary once, and the
path of the full log (Airflow's, Cosmos' and dbt's lines, about 1,700 of them a night), which
goes to a private file instead of the terminal."""

from __future__ import annotations

import datetime as dt
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from core.private_files import create_private, private_dir

HEARTBEAT_SECONDS = 30.0


def run_log_path(airflow_home: Path, now: dt.datetime | None = None) -> Path:
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")
    return airflow_home / "logs" / f"dxwh-run-{stamp}-{os.getpid()}.log"


@contextmanager
def output_to(log_path: Path) -> Iterator[TextIO]:
    """Send everything written to this process's stdout and stderr (and its children's) to
    ``log_path`` (0600) for the ``with`` block; yields the terminal, for progress lines."""
    private_dir(log_path.parent)
    sys.stdout.flush()
    sys.stderr.flush()
    saved_out, saved_err = os.dup(1), os.dup(2)
    log_fd = create_private(log_path, append=True)
    terminal = os.fdopen(os.dup(saved_out), "w", encoding="utf-8", buffering=1)
    python_out, python_err = sys.stdout, sys.stderr
    log = os.fdopen(os.dup(log_fd), "w", encoding="utf-8", buffering=1)
    try:
        os.dup2(log_fd, 1)  # child processes (dbt) and C libraries
        os.dup2(log_fd, 2)
        sys.stdout = sys.stderr = log  # Python code, whatever sys.stdout was
        yield terminal
    finally:
        log.flush()
        sys.stdout, sys.stderr = python_out, python_err
        os.dup2(saved_out, 1)
        os.dup2(saved_err, 2)
        for fd in (saved_out, saved_err, log_fd):
            os.close(fd)
        log.close()
        terminal.close()


@contextmanager
def heartbeat(terminal: TextIO, every: float = HEARTBEAT_SECONDS) -> Iterator[None]:
    """A line on ``terminal`` every ``every`` seconds while the block runs."""
    done = threading.Event()
    started = time.monotonic()

    def beat() -> None:
        while not done.wait(every):
            minutes, seconds = divmod(int(time.monotonic() - started), 60)
            terminal.write(f"  … đang chạy / running: {minutes} min {seconds:02d} s\n")
            terminal.flush()

    thread = threading.Thread(target=beat, name="dxwh-run-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
