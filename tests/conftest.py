"""Shared fixtures: every test works in a temporary data home, never the developer's own.

Airflow reads its configuration at first import, so its home (SQLite metadata DB) is pointed at
a temporary folder here, before any test module imports ``airflow``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="dxwh-airflow-"))
os.environ.update(
    {
        "AIRFLOW_HOME": str(_AIRFLOW_HOME),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(Path(__file__).resolve().parents[1] / "dags"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{_AIRFLOW_HOME / 'airflow.db'}",
        "DXWH_TASK_RETRIES": "0",
        "DXWH_INBOX_SETTLE_SECONDS": "0",  # tests never wait for files to settle
    }
)

from core.settings import Settings, load_settings  # noqa: E402


@pytest.fixture
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A fresh, empty data home; ``DXWH_HOME`` points at it for the test's duration."""
    home = tmp_path / "home"
    monkeypatch.setenv("DXWH_HOME", str(home))
    settings = load_settings()
    settings.ensure_dirs()
    return settings


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    """Airflow's SQLite metadata DB, migrated once per session."""
    airflow = Path(sys.executable).with_name("airflow")
    subprocess.run([str(airflow), "db", "migrate"], check=True, capture_output=True)
    return _AIRFLOW_HOME / "airflow.db"


@pytest.fixture
def dag_bag(airflow_db: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """The DAGs as the scheduler parses them (production retry settings)."""
    from airflow.dag_processing.dagbag import DagBag

    monkeypatch.delenv("DXWH_TASK_RETRIES", raising=False)
    yield DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"])


@pytest.fixture(scope="session")
def demo_warehouse(airflow_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The default demo data run once through the real ``dx_nightly`` DAG (``dag.test()``).

    Shared by every test that reads the demo warehouse; treat it as read-only.
    """
    from airflow.dag_processing.dagbag import DagBag

    from pipeline.cli import main as dxwh

    home = tmp_path_factory.mktemp("demo-home")
    saved = os.environ.get("DXWH_HOME")
    os.environ["DXWH_HOME"] = str(home)
    try:
        assert dxwh(["demo-data"]) == 0
        bag = DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
        dag_run = bag.dags["dx_nightly"].test()
        assert str(dag_run.state) == "success", f"demo run ended {dag_run.state}"
        return load_settings()
    finally:
        if saved is None:
            os.environ.pop("DXWH_HOME", None)
        else:
            os.environ["DXWH_HOME"] = saved
