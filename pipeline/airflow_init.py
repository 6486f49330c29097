"""One-off initialisation of a deployment (the compose ``airflow-init`` service).

Creates the data home's folders, writes the admin password for Airflow's simple auth manager,
migrates the metadata database (``airflow db migrate``, idempotent) and creates the one-slot
pool for the build database. Safe to run at every start.

Reads ``AIRFLOW_ADMIN_USER`` / ``AIRFLOW_ADMIN_PASSWORD`` and
``AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE`` from the environment; an admin password
left unset there is the one the ``secrets-init`` service generated (``--secrets DIR``, see
:mod:`pipeline.deploy_secrets`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from core.private_files import write_private
from core.secret_store import DEPLOYMENT_SECRETS, GENERATE_HINT, PlaceholderSecret, checked
from core.settings import load_settings
from pipeline.orchestrate import ensure_build_db_pool, migrate_metadata_db


def write_passwords_file(environ: Mapping[str, str], secrets: Path | None = None) -> Path:
    """Write ``{"user": "password"}`` where the simple auth manager reads it (mode 600)."""
    path = Path(environ["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"])
    user = environ.get("AIRFLOW_ADMIN_USER", "admin")
    given = environ.get("AIRFLOW_ADMIN_PASSWORD", "")
    kept = secrets / "AIRFLOW_ADMIN_PASSWORD" if secrets else None
    if not given.strip() and kept is not None and kept.is_file():
        given = kept.read_text(encoding="utf-8").strip()
    password = checked("AIRFLOW_ADMIN_PASSWORD", given, environ)
    if not password:
        raise SystemExit(
            "AIRFLOW_ADMIN_PASSWORD trống: đặt mật khẩu trong .env. / "
            f"AIRFLOW_ADMIN_PASSWORD is empty: set it in .env ({GENERATE_HINT})"
        )
    return write_private(path, json.dumps({user: password}))


def check_deployment_secrets(environ: Mapping[str, str]) -> None:
    """Refuse to initialise (so no service starts) on a placeholder secret. An unset one is
    not refused: the ``secrets-init`` service generated it (Airflow's and PostgreSQL's), or
    dxwh generates it into the data home (the pseudonym key, the portal's key)."""
    for name in DEPLOYMENT_SECRETS:
        checked(name, environ.get(name) or "", environ)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.airflow_init")
    parser.add_argument("--secrets", type=Path, help="the folder secrets-init writes")
    args = parser.parse_args(argv)
    try:
        check_deployment_secrets(os.environ)
    except PlaceholderSecret as exc:
        print(exc.code, file=sys.stderr)
        return 2
    settings = load_settings()
    settings.ensure_dirs()
    passwords = write_passwords_file(os.environ, args.secrets)
    migrate_metadata_db(settings)
    ensure_build_db_pool()
    print(f"data home {settings.home} ready; metadata database migrated; pool created")
    print(f"admin password file: {passwords}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
