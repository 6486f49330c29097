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
    """A Python interpreter with duckdb==1.1.3, in its own virtual environment."""
    return pinned_python(request, f"duckdb-{OLD_DUCKDB}", [f"duckdb=={OLD_DUCKDB}"])


@pytest.fixture(scope="session")
def bi_python(request: pytest.FixtureRequest) -> Path:
    """A Python interpreter with what Superset 6.1.0 reflects the file through: SQLAlchemy 1.4,
    duckdb-engine 0.17.0 and a DuckDB 1.x, in its own virtual environment."""
    return pinned_python(request, "sqlalchemy-1.4-duckdb-engine", BI_PINS)


# Superset 6.1.0's own pins for the published file (its environment resolves the same ones)
BI_PINS = ["sqlalchemy==1.4.54", "duckdb-engine==0.17.0", "duckdb==1.5.6"]


def pinned_python(request: pytest.FixtureRequest, name: str, requirements: list[str]) -> Path:
    """A Python interpreter with exactly ``requirements``, in its own virtual environment.

    Kept in pytest's cache folder (git-ignored) so it is built once per checkout; building it
    needs the package index, like ``uv sync``. Parallel test workers share it: one builds it
    under a lock, the others wait and find it built. A file beside the interpreter records
    what it was built with, so changed requirements rebuild it.
    """
    venv = Path(request.config.cache.mkdir(f"{name}-venv"))
    python = venv / "bin" / "python"
    stamp = venv / "dxwh-requirements.txt"
    wanted = "\n".join(requirements) + "\n"
    with exclusive(venv.with_name(f"{venv.name}.lock")):
        built = stamp.is_file() and stamp.read_text(encoding="utf-8") == wanted
        if not (built and python.exists()):
            _build_venv(venv, python, requirements)
            stamp.write_text(wanted, encoding="utf-8")
    return python


def _build_venv(venv: Path, python: Path, requirements: list[str]) -> None:
    shutil.rmtree(venv, ignore_errors=True)
    uv = _uv()
    if uv:
        subprocess.run([*uv, "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)
        install = [*uv, "pip", "install", "--quiet", "--python", str(python)]
    else:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        install = [str(python), "-m", "pip", "install", "--quiet"]
    subprocess.run([*install, *requirements], check=True)
