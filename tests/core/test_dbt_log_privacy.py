"""dbt's log quotes SQL and error messages, which can carry a person's values: it is private,
also in a data home an older release left with it open to others."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from core.settings import Settings
from pipeline.dbt_runner import run_dbt


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_dbt_log_left_open_by_an_older_release_is_made_private(data_home: Settings) -> None:
    log_dir = data_home.home / "logs" / "dbt"
    os.makedirs(log_dir, exist_ok=True)
    os.chmod(data_home.home / "logs", 0o755)
    os.chmod(log_dir, 0o755)
    log = log_dir / "dbt.log"
    log.write_text("an older night's lines\n")
    os.chmod(log, 0o644)

    data_home.ensure_dirs()
    assert _mode(data_home.home / "logs") == 0o700

    result = run_dbt(data_home, "parse")
    assert result.success, result.output
    assert data_home.dbt_log_dir == log_dir
    assert _mode(log_dir) == 0o700
    assert _mode(log) == 0o600
    text = log.read_text()
    assert text.startswith("an older night's lines\n")
    assert "Running with dbt=" in text  # dbt went on writing its log there
