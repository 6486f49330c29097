"""``dxwh run`` keeps Airflow's wall of log off the terminal: everything the night and its
child processes write goes to a private log file, and the terminal gets progress lines."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.run_output import heartbeat, output_to


def test_the_night_s_output_goes_to_a_private_log_and_progress_to_the_terminal(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "logs" / "run.log"
    with output_to(log) as terminal, heartbeat(terminal, every=0.05):
        print("airflow says a lot")
        print("to stderr as well", file=sys.stderr)
        subprocess.run([sys.executable, "-c", "print('dbt child line')"], check=True)
        done = subprocess.run(["sleep", "0.3"], check=True)
    print("the summary, once")

    seen = capfd.readouterr()
    text = log.read_text(encoding="utf-8")
    for line in ("airflow says a lot", "to stderr as well", "dbt child line"):
        assert line in text and line not in seen.out + seen.err
    assert "running:" in seen.out and "the summary, once" in seen.out
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert done.returncode == 0
