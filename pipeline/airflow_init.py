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

from core.private_files import write_private
from core.secret_store import DEPLOYMENT_SECRETS, GENERATE_HINT, PlaceholderSecret, checked
from core.settings import load_settings
from pipeline.orchestrate import ensure_build_db_pool, migrate_metadata_db


def write_passwords_file(environ: dict[str, str] | os._Environ[str]) -> Path:
    """Write ``{"user": "password"}`` where the simple auth manager reads it (mode 600)."""
    path = Path(environ["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"])
    user = environ.get("AIRFLOW_ADMIN_USER", "admin")
    password = checked("AIRFLOW_ADMIN_PASSWORD", environ.get("AIRFLOW_ADMIN_PASSWORD", ""), environ)
    if not password:
        raise SystemExit(
            "AIRFLOW_ADMIN_PASSWORD trống: đặt mật khẩu trong .env. / "
            f"AIRFLOW_ADMIN_PASSWORD is empty: set it in .env ({GENERATE_HINT})"
        )
    return write_private(path, json.dumps({user: password}))


# Airflow reads these three from the environment of every service: they cannot be generated
# here for the others, so an empty one stops the deployment too
_REQUIRED = ("AIRFLOW_FERNET_KEY", "AIRFLOW_API_SECRET_KEY", "AIRFLOW_JWT_SECRET")


def check_deployment_secrets(environ: dict[str, str] | os._Environ[str]) -> None:
    """Refuse to initialise (so no service starts) on a placeholder or a missing Airflow key."""
    for name in DEPLOYMENT_SECRETS:
        checked(name, environ.get(name) or "", environ)
    for name in _REQUIRED:
        if not (environ.get(name) or "").strip():
            raise SystemExit(
                f"{name} trống: đặt giá trị ngẫu nhiên trong .env rồi khởi động lại. / "
                f"{name} is empty: set a random value in .env ({GENERATE_HINT})"
            )


def main() -> int:
    try:
        check_deployment_secrets(os.environ)
    except PlaceholderSecret as exc:
        print(exc.code, file=sys.stderr)
        return 2
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
