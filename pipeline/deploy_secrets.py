"""The compose deployment's secrets, made at first start (the ``secrets-init`` service).

PostgreSQL's password, the Airflow admin password, the Fernet key, the API secret key and the
JWT secret are taken from ``.env`` when set there (a public placeholder such as ``change-me`` is
refused: nothing starts), else kept from an earlier start, else generated. Each is written 0600
into the private ``dxwh-secrets`` volume for the one service user that reads it (PostgreSQL
through ``POSTGRES_PASSWORD_FILE``, Airflow through its ``*_CMD`` settings), with Airflow's
database URL built from PostgreSQL's password. The folder is 0711: its readers reach their own
files and list nothing.

Usage: ``python -m pipeline.deploy_secrets DIR [--airflow-uid N] [--postgres-uid N]``.
"""

from __future__ import annotations

import argparse
import base64
import os
import secrets
import sys
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import quote

from core.private_files import PASS_THROUGH_MODE, private_dir, write_private
from core.secret_store import PlaceholderSecret, checked

# the secrets and whether PostgreSQL (not Airflow) reads them
GENERATED = {
    "POSTGRES_PASSWORD": True,
    "AIRFLOW_ADMIN_PASSWORD": False,
    "AIRFLOW_FERNET_KEY": False,
    "AIRFLOW_API_SECRET_KEY": False,
    "AIRFLOW_JWT_SECRET": False,
}
DATABASE_URL_FILE = "sql_alchemy_conn"


def new_value(name: str) -> str:
    """A fresh random value; the Fernet key in Fernet's own form (32 bytes, URL-safe base64)."""
    if name == "AIRFLOW_FERNET_KEY":
        return base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")
    return secrets.token_urlsafe(32)


def _value(folder: Path, name: str, environ: Mapping[str, str]) -> tuple[str, str]:
    given = (environ.get(name) or "").strip()
    if given:
        return checked(name, given, environ), "from .env"
    path = folder / name
    if path.is_file():
        return checked(
            f"{name} ({path})", path.read_text(encoding="utf-8").strip(), environ
        ), "kept"
    return new_value(name), "generated"


def prepare_secrets(
    folder: Path,
    environ: Mapping[str, str],
    *,
    airflow_uid: int | None = None,
    postgres_uid: int | None = None,
) -> dict[str, str]:
    """Write every secret file into ``folder``; return how each was obtained. Raises
    :class:`~core.secret_store.PlaceholderSecret` (before writing anything) on a placeholder."""
    values = {name: _value(folder, name, environ) for name in GENERATED}
    private_dir(folder)
    user = environ.get("POSTGRES_USER") or "airflow"
    database = environ.get("POSTGRES_DB") or "airflow"
    password = values["POSTGRES_PASSWORD"][0]
    files = {name: value for name, (value, _) in values.items()}
    files[DATABASE_URL_FILE] = (
        f"postgresql+psycopg2://{quote(user, safe='')}:{quote(password, safe='')}"
        f"@postgres:5432/{quote(database, safe='')}"
    )
    for name, value in files.items():
        path = write_private(folder / name, value)
        owner = postgres_uid if GENERATED.get(name) else airflow_uid
        if owner is not None and os.geteuid() == 0:
            os.chown(path, owner, 0)
    os.chmod(folder, PASS_THROUGH_MODE)  # after the writes: each keeps its folder private
    return {name: how for name, (_, how) in values.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.deploy_secrets")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--airflow-uid", type=int)
    parser.add_argument("--postgres-uid", type=int)
    args = parser.parse_args(argv)
    try:
        done = prepare_secrets(
            args.folder,
            os.environ,
            airflow_uid=args.airflow_uid,
            postgres_uid=args.postgres_uid,
        )
    except PlaceholderSecret as exc:
        print(exc.code, file=sys.stderr)
        return 2
    for name, how in done.items():
        print(f"{name}: {how}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
