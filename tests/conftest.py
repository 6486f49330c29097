"""Shared fixtures: every test works in a temporary data home, never the developer's own.

Airflow reads its configuration at first import, so its home (SQLite metadata DB) is pointed at
a temporary folder here, before any test module imports ``airflow``.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


def _memory_backed_temp() -> str | None:
    """``/dev/shm`` where it is a writable folder: Airflow commits to its SQLite metadata
    database at every step of every task, and a commit to disk waits for the disk (a
    millisecond on a quiet one, tens on a busy one); the database is thrown away anyway."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK) else None


_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="dxwh-airflow-", dir=_memory_backed_temp()))
# removed when this test process ends (in memory, it would otherwise stay until a reboot)
atexit.register(shutil.rmtree, _AIRFLOW_HOME, ignore_errors=True)
os.environ.update(
    {
        "AIRFLOW_HOME": str(_AIRFLOW_HOME),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(Path(__file__).resolve().parents[1] / "dags"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{_AIRFLOW_HOME / 'airflow.db'}",
        # Cosmos keeps dbt's partial-parse cache in one folder per machine (/tmp/cosmos); one
        # per test process, so that parallel processes never copy the same file at once
        "AIRFLOW__COSMOS__CACHE_DIR": str(_AIRFLOW_HOME / "cosmos"),
        "DXWH_TASK_RETRIES": "0",
        "DXWH_INBOX_SETTLE_SECONDS": "0",  # tests never wait for files to settle
        # one key for every test's data homes, so that two homes loaded from the same files
        # hold the same person keys (a deployment generates its own once, see core/secret_store)
        "DXWH_PSEUDONYM_KEY": "dxwh-tests-pseudonym-key",
    }
)

from core.locks import exclusive  # noqa: E402
from core.settings import Settings, load_settings  # noqa: E402
from tests.demo_night import (  # noqa: E402
    DEMO_NIGHT,
    UNKNOWN_UNIT_FILE,
    FirstNight,
    write_unknown_unit_file,
)
from tests.schedule import lanes  # noqa: E402


@pytest.hookimpl(trylast=True)  # after ``-m`` has deselected what does not run
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The whole-pipeline tests (marked ``slow``) first, spread over the test processes.

    ``make test`` spreads the suite over one process per core (pytest-xdist, ``worksteal``): a
    test of minutes started last would keep one core busy while the others sit idle, so each
    process starts with its share of the long ones (:mod:`tests.schedule`) and the short ones
    fill the gaps. Each process has its own Airflow home, Cosmos cache (above) and data homes;
    what they share (the dbt manifest, the demo warehouse, the old-DuckDB environment) is
    written under :func:`core.locks.exclusive`, and the Airflow servers they start listen on
    ports chosen free.
    """
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT") or 1)
    items[:] = lanes(
        items,
        workers,
        test_id=lambda item: item.nodeid,
        slow=lambda item: item.get_closest_marker("slow") is not None,
    )


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


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    """The dbt manifest the DAG is drawn from, written once as ``make setup`` does."""
    from core.settings import DBT_MANIFEST
    from pipeline.dbt_runner import parse_manifest

    parse_manifest()
    return DBT_MANIFEST


def _parse_dags(task_retries: str | None) -> Any:
    """Parse the DAG folder as the scheduler does, with ``DXWH_TASK_RETRIES`` as given."""
    from airflow.dag_processing.dagbag import DagBag

    saved = os.environ.pop("DXWH_TASK_RETRIES", None)
    if task_retries is not None:
        os.environ["DXWH_TASK_RETRIES"] = task_retries
    try:
        bag = DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
    finally:
        os.environ.pop("DXWH_TASK_RETRIES", None)
        if saved is not None:
            os.environ["DXWH_TASK_RETRIES"] = saved
    assert not bag.import_errors, bag.import_errors
    return bag


@pytest.fixture(scope="session")
def dag_bag(airflow_db: Path, dbt_manifest: Path) -> Any:
    """The DAGs as the scheduler parses them (production retry settings), parsed once.

    Shared by the whole session: treat it as read-only.
    """
    return _parse_dags(task_retries=None)


@pytest.fixture(scope="session")
def dag_bag_no_retries(airflow_db: Path, dbt_manifest: Path) -> Any:
    """The DAGs parsed with ``DXWH_TASK_RETRIES=0``: for ``dag.test()`` runs that must fail fast
    (a failing task is not retried after its back-off). Parsed once; treat it as read-only."""
    return _parse_dags(task_retries="0")


def _built_once(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], str]
) -> tuple[Path, str]:
    """``<session temp>/<name>``, built by ``build`` once per ``make test``: the test processes
    share it (the first to need it builds it while the others wait on the lock). Returns the
    folder and what ``build`` returned (kept in ``<name>.built``)."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):  # every worker's temp folder sits in one parent
        root = root.parent
    home, built = root / name, root / f"{name}.built"
    with exclusive(root / f"{name}.lock"):
        if not built.is_file():
            shutil.rmtree(home, ignore_errors=True)  # a build that failed half-way
            built.write_text(build(home), encoding="utf-8")
    return home, built.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def demo_warehouse(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    """The default demo data run once through the real ``dx_nightly`` DAG (``dag.test()``).

    Built once per ``make test`` (:func:`_built_once`). Shared by every test that reads the demo
    warehouse; treat it as read-only (a test that runs more copies it, :func:`copy_home`).
    """
    home, _ = _built_once(
        tmp_path_factory,
        "demo-home",
        lambda home: _build_demo_warehouse(home, request.getfixturevalue("dag_bag_no_retries")),
    )
    return load_settings({**os.environ, "DXWH_HOME": str(home)})


@pytest.fixture(scope="session")
def first_night(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> FirstNight:
    """A data home after its first night: generated workbooks (the province's and its districts'
    2023 and 2024-H1 reports, seed 7, manifest in ``demo/manifest.json``) and a file of a unit
    in no registry (:data:`tests.demo_night.UNKNOWN_UNIT_FILE`), run once through the real
    ``dx_nightly`` DAG (``dag.test()``).

    Built once per ``make test`` (:func:`_built_once`), whatever the night's outcome
    (tests/test_pipeline_e2e.py checks it; a test that starts from it asserts it succeeded).
    Treat it as read-only: a test that runs another night copies it
    first (:func:`tests.demo_night.copy_home`).
    """
    home, run = _built_once(
        tmp_path_factory,
        "first-night",
        lambda home: _build_first_night(home, request.getfixturevalue("dag_bag_no_retries")),
    )
    run_id, state = run.split()
    return FirstNight(load_settings({**os.environ, "DXWH_HOME": str(home)}), run_id, state)


def _build_first_night(home: Path, dag_bag: Any) -> str:
    from ingest.demo.generate import generate_demo

    saved = os.environ.get("DXWH_HOME")
    os.environ["DXWH_HOME"] = str(home)
    try:
        settings = load_settings()
        settings.ensure_dirs()
        generate_demo(
            settings.inbox_submissions,
            home / "demo" / "manifest.json",
            seed=7,
            periods=("2023", "2024-H1"),
            levels=("province", "district"),
        )
        write_unknown_unit_file(settings.inbox_submissions / UNKNOWN_UNIT_FILE)
        dag_run = dag_bag.dags["dx_nightly"].test()
        return f"{dag_run.run_id} {dag_run.state!s}"
    finally:
        if saved is None:
            os.environ.pop("DXWH_HOME", None)
        else:
            os.environ["DXWH_HOME"] = saved


def _build_demo_warehouse(home: Path, dag_bag: Any) -> str:
    from pipeline.cli import main as dxwh

    saved = os.environ.get("DXWH_HOME")
    os.environ["DXWH_HOME"] = str(home)
    try:
        assert dxwh(["demo-data"]) == 0
        dag_run = dag_bag.dags["dx_nightly"].test(logical_date=DEMO_NIGHT)
        assert str(dag_run.state) == "success", f"demo run ended {dag_run.state}"
        return str(dag_run.run_id)
    finally:
        if saved is None:
            os.environ.pop("DXWH_HOME", None)
        else:
            os.environ["DXWH_HOME"] = saved
