"""A migrated local metadata database is remembered, so a night skips Airflow's check."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import Settings
from pipeline.orchestrate import MIGRATED_MARKER, metadata_db_is_current


def test_a_migrated_sqlite_database_is_remembered_until_it_changes(
    airflow_db: Path, data_home: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import airflow.utils.db

    data_home.airflow_home.mkdir(parents=True, exist_ok=True)
    marker = data_home.airflow_home / MIGRATED_MARKER

    assert metadata_db_is_current(data_home)  # Airflow's own check, the first time
    assert str(airflow_db) in marker.read_text()

    def no_check(timeout: int) -> None:
        raise RuntimeError("migrations pending")

    monkeypatch.setattr(airflow.utils.db, "check_migrations", no_check)
    assert metadata_db_is_current(data_home)  # remembered: the check is not run

    marker.write_text(marker.read_text().replace(str(airflow_db), "/elsewhere/airflow.db"))
    assert not metadata_db_is_current(data_home)  # another database: checked again
