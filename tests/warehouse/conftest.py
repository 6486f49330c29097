"""Fixtures for the published warehouse's readers."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from core.locks import exclusive

# The oldest DuckDB release the published file promises to open (BI drivers bundle old ones).
OLD_DUCKDB = "1.1.3"


def _uv() -> list[str] | None:
    """uv as the Makefile finds it: on the PATH, or as a module of the system Python."""
    for candidate in ([shutil.which("uv") or "uv"], ["python3", "-m", "uv"]):
        try:
            found = subprocess.run([*candidate, "--version"], capture_output=True, check=False)
        except FileNotFoundError:
            continue
        if found.returncode == 0:
            return candidate
    return None


@pytest.fixture(scope="session")
def old_duckdb_python(request: pytest.FixtureRequest) -> Path:
    """A Python interpreter with duckdb==1.1.3, in its own virtual environment.

    Kept in pytest's cache folder (git-ignored) so it is built once per checkout; building it
    needs the package index, like ``uv sync``. Parallel test workers share it: one builds it
    under a lock, the others wait and find it built.
    """
    venv = Path(request.config.cache.mkdir(f"duckdb-{OLD_DUCKDB}-venv"))
    python = venv / "bin" / "python"
    probe = [str(python), "-c", "import duckdb; print(duckdb.__version__)"]
    with exclusive(venv.with_name(f"{venv.name}.lock")):
        if python.exists():
            found = subprocess.run(probe, capture_output=True, text=True, check=False)
            if found.stdout.strip() == OLD_DUCKDB:
                return python
        _build_venv(venv, python)
    found = subprocess.run(probe, capture_output=True, text=True, check=True)
    assert found.stdout.strip() == OLD_DUCKDB
    return python


def _build_venv(venv: Path, python: Path) -> None:
    shutil.rmtree(venv, ignore_errors=True)
    uv = _uv()
    if uv:
        subprocess.run([*uv, "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)
        install = [*uv, "pip", "install", "--quiet", "--python", str(python)]
    else:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        install = [str(python), "-m", "pip", "install", "--quiet"]
    subprocess.run([*install, f"duckdb=={OLD_DUCKDB}"], check=True)
