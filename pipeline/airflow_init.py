"""One-off initialisation of a deployment (the compose ``airflow-init`` service).

Creates the data home's folders, writes the admin password for Airflow's simple auth manager,
migrates the metadata database (``airflow db migrate``, idempotent) and creates the one-slot
pool for the build database. Safe to run at every start.

Reads ``AIRFLOW_ADMIN_USER`` / ``AIRFLOW_ADMIN_PASSWORD`` and
``AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE`` from the environment.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from core.settings import load_settings
from pipeline.orchestrate import ensure_build_db_pool, migrate_metadata_db


def write_passwords_file(environ: dict[str, str] | os._Environ[str]) -> Path:
    """Write ``{"user": "password"}`` where the simple auth manager reads it (mode 600)."""
    path = Path(environ["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"])
    user = environ.get("AIRFLOW_ADMIN_USER", "admin")
    password = environ.get("AIRFLOW_ADMIN_PASSWORD", "")
    if not password:
        raise SystemExit("AIRFLOW_ADMIN_PASSWORD is empty: set it in .env (see .env.example)")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps({user: password}), encoding="utf-8")
    tmp.chmod(0o600)
    tmp.replace(path)
    return path


def main() -> int:
    settings = load_settings()
    settings.ensure_dirs()
    passwords = write_passwords_file(os.environ)
    migrate_metadata_db(settings)
    ensure_build_db_pool()
    print(f"data home {settings.home} ready; metadata database migrated; pool created")
    print(f"admin password file: {passwords}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
