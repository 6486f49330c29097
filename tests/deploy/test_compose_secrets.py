"""The compose stack's secrets: an unset one is generated at first start into the private
``dxwh-secrets`` volume (0600 files), kept at later starts, and read from there by PostgreSQL
and every Airflow service; a placeholder stops the stack. There is no Docker engine on a test
machine: the commands the services run are run here natively, with the compose environment."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from deploy.compose import env_example, load_compose, service_command, service_environment

SECRETS = "/run/dxwh-secrets"
AIRFLOW_SECRETS = ("AIRFLOW_FERNET_KEY", "AIRFLOW_API_SECRET_KEY", "AIRFLOW_JWT_SECRET")


def _init(folder: Path, values: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The secrets-init service's command, its folder mapped to ``folder``."""
    service = load_compose()["services"]["secrets-init"]
    assert f"dxwh-secrets:{SECRETS}" in service["volumes"]
    command = [str(folder) if part == SECRETS else part for part in service_command(service)]
    assert command[:2] == ["python", "-m"]
    env = {
        **{
            k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "DXWH", "POSTGRES"))
        },
        **service_environment(service, values),
    }
    return subprocess.run(
        [sys.executable, *command[1:]], env=env, capture_output=True, text=True, check=False
    )


def _files(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.iterdir())}


def test_unset_secrets_are_generated_private_and_kept(tmp_path: Path) -> None:
    folder = tmp_path / "secrets"
    first = _init(folder, env_example())  # .env.example leaves them empty

    assert first.returncode == 0, first.stderr
    files = _files(folder)
    assert {"POSTGRES_PASSWORD", "AIRFLOW_ADMIN_PASSWORD", *AIRFLOW_SECRETS} < set(files)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o711  # readers reach their file, list nothing
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert all(len(v) >= 32 and "change-me" not in v for v in files.values())
    password = files["POSTGRES_PASSWORD"]
    assert (
        files["sql_alchemy_conn"]
        == f"postgresql+psycopg2://airflow:{password}@postgres:5432/airflow"
    )
    from cryptography.fernet import Fernet

    Fernet(files["AIRFLOW_FERNET_KEY"].encode())  # a key Airflow can use

    again = _init(folder, env_example())
    assert again.returncode == 0 and _files(folder) == files  # a restart keeps every secret


def test_a_value_set_in_env_is_used(tmp_path: Path) -> None:
    folder = tmp_path / "secrets"
    assert _init(folder, {**env_example(), "POSTGRES_PASSWORD": "p@ss w0rd"}).returncode == 0

    files = _files(folder)
    assert files["POSTGRES_PASSWORD"] == "p@ss w0rd"
    assert ":p%40ss%20w0rd@postgres:5432/" in files["sql_alchemy_conn"]


@pytest.mark.parametrize("name", ["POSTGRES_PASSWORD", "AIRFLOW_FERNET_KEY", "AIRFLOW_JWT_SECRET"])
def test_a_placeholder_stops_the_stack_before_anything_is_written(
    tmp_path: Path, name: str
) -> None:
    folder = tmp_path / "secrets"
    done = _init(folder, {**env_example(), name: "change-me"})

    assert done.returncode == 2
    assert name in done.stderr and "placeholder" in done.stderr
    assert not folder.exists()
    services = load_compose()["services"]
    # every service waits for secrets-init to end well: none starts after a refusal
    for service_name, service in services.items():
        if service_name not in {"secrets-init", "portal"}:
            depends: dict[str, Any] = service["depends_on"]
            assert depends["secrets-init"]["condition"] == "service_completed_successfully"


def test_airflow_reads_its_secrets_from_the_files(tmp_path: Path) -> None:
    folder = tmp_path / "secrets"
    assert _init(folder, env_example()).returncode == 0
    files = _files(folder)
    scheduler = load_compose()["services"]["airflow-scheduler"]
    assert f"dxwh-secrets:{SECRETS}:ro" in scheduler["volumes"]
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "DXWH"))},
        **{
            k: v.replace(SECRETS, str(folder))
            for k, v in service_environment(scheduler, env_example()).items()
        },
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
    }
    probe = (
        "from airflow.configuration import conf\n"
        "print(conf.get('core', 'fernet_key'))\n"
        "print(conf.get('api', 'secret_key'))\n"
        "print(conf.get('api_auth', 'jwt_secret'))\n"
        "print(conf.get('database', 'sql_alchemy_conn'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=False
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-4:] == [
        *(files[name] for name in AIRFLOW_SECRETS),
        files["sql_alchemy_conn"],
    ]
    postgres = service_environment(load_compose()["services"]["postgres"], env_example())
    assert postgres["POSTGRES_PASSWORD_FILE"] == f"{SECRETS}/POSTGRES_PASSWORD"
    assert "POSTGRES_PASSWORD" not in postgres
