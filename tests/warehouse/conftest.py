"""Fixtures for the published warehouse's readers."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


# Superset 6.1.0 as published on PyPI does not start without rich, cachetools and
# flask-caching < 2.5 (Superset's packaging); versions as they resolved when this was written.
SUPERSET_PINS = [
    "apache-superset==6.1.0",
    "rich==15.0.0",
    "cachetools==8.0.3",
    "flask-caching==2.4.1",
    *BI_PINS,
]
SUPERSET_APP = Path(__file__).with_name("superset_app.py")


@dataclass(frozen=True)
class SupersetEnv:
    """The tests' Superset: its interpreter, and a prepared metadata file to copy per test."""

    python: Path
    metadata: Path

    def run(self, metadata: Path, *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        """Run ``superset_app.py`` with ``args`` against a copy of the prepared metadata."""
        env = {
            **os.environ,
            "SUPERSET_CONFIG_PATH": str(SUPERSET_APP.with_name("superset_config.py")),
            "DXWH_SUPERSET_METADATA": str(metadata),
        }
        return subprocess.run(
            [str(self.python), str(SUPERSET_APP), *args],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            **kwargs,
        )


@pytest.fixture(scope="session")
def superset_env(request: pytest.FixtureRequest) -> SupersetEnv:
    """Superset 6.1.0 in its own environment, with a metadata database prepared once.

    Built and cached like the reader environments (``pinned_python``); the metadata (Superset's
    migrations, roles and an admin user, about two minutes on the reference machine) is
    prepared once beside it under the same kind of lock, and each test works on a copy.
    """
    python = pinned_python(request, "superset-6.1.0", SUPERSET_PINS)
    template = python.parents[1] / "dxwh-superset-metadata.db"
    with exclusive(template.with_suffix(".lock")):
        if not template.is_file():
            env = SupersetEnv(python, template)
            partial = template.with_suffix(".partial")
            partial.unlink(missing_ok=True)
            done = env.run(partial, "prepare")
            assert done.returncode == 0, done.stderr[-4000:]
            partial.rename(template)
    return SupersetEnv(python, template)
