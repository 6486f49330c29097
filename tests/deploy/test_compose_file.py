"""docker-compose.yml agrees with the Dockerfile, the DAGs, .env.example and Airflow itself."""

from __future__ import annotations

import importlib.util
import re
from typing import Any

import pytest

from deploy.compose import (
    COMPOSE_FILE,
    DOCKERFILE,
    REPO,
    env_example,
    load_compose,
    referenced_variables,
    service_command,
    service_environment,
)

SECRETS = "/run/dxwh-secrets"
AIRFLOW_SERVICES = {
    "airflow-init": None,
    "airflow-apiserver": "api-server",
    "airflow-scheduler": "scheduler",
    "airflow-dag-processor": "dag-processor",
    "airflow-triggerer": "triggerer",
}
PINNED = re.compile(r"^[\w./-]+:\d+(\.\d+)+[\w.-]*$")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return load_compose()


def _dockerfile_env() -> dict[str, str]:
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    env: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("ENV "):
            for key, value in re.findall(r"(\w+)=(\S+)", line):
                env[key] = value
    return env


def test_services_and_pinned_images(compose: dict[str, Any]) -> None:
    services = compose["services"]
    # the portal service is checked in tests/portal/test_compose_service.py
    assert set(services) == {"secrets-init", "postgres", "portal", *AIRFLOW_SERVICES}
    assert PINNED.match(services["postgres"]["image"]), services["postgres"]["image"]
    for name in AIRFLOW_SERVICES:
        assert services[name]["build"]["dockerfile"] == "Dockerfile"
        assert PINNED.match(services[name]["image"]), f"{name}: image tag not pinned"
    for image in re.findall(r"^FROM (\S+)", DOCKERFILE.read_text(), flags=re.M):
        assert PINNED.match(image), f"Dockerfile base image {image} not pinned"
    for image in re.findall(r"COPY --from=(\S+)", DOCKERFILE.read_text()):
        assert PINNED.match(image), f"Dockerfile stage {image} not pinned"


def test_dockerfile_installs_from_the_lock_and_copies_what_exists() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    syncs = re.findall(r"uv sync ([^\n]+)", text)
    assert syncs and all("--frozen" in s and "--extra postgres" in s for s in syncs)
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r"^postgres = \[", pyproject, flags=re.M), "no postgres extra"
    copies = re.findall(r"^COPY (?!--from)(?:--chown=\S+ )?(.+) \S+$", text, flags=re.M)
    for source in copies:
        for item in source.split():
            if not item.startswith("--"):
                assert (REPO / item).exists(), f"Dockerfile copies {item}, which does not exist"
    env = _dockerfile_env()
    workdir = re.findall(r"^WORKDIR (\S+)", text, flags=re.M)[-1]
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == f"{workdir}/dags"
    assert env["AIRFLOW_HOME"].startswith(env["DXWH_HOME"])


def test_commands_are_real_airflow_commands(compose: dict[str, Any]) -> None:
    from airflow.cli.cli_config import core_commands

    known = {command.name for command in core_commands}
    for name, subcommand in AIRFLOW_SERVICES.items():
        command = service_command(compose["services"][name])
        if subcommand is None:  # the init service runs the project's initialisation module
            assert command[:2] == ["python", "-m"]
            assert importlib.util.find_spec(command[2]) is not None, command
        else:
            assert command[0] == "airflow" and command[1] == subcommand
            assert subcommand in known


def test_settings_agree(compose: dict[str, Any]) -> None:
    from airflow.configuration import conf

    services = compose["services"]
    env = service_environment(services["airflow-scheduler"], env_example())
    assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
    # the database URL (with PostgreSQL's password) comes from the file secrets-init writes
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_CMD"] == f"cat {SECRETS}/sql_alchemy_conn"
    api_port = services["airflow-apiserver"]["command"][-1]
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == (
        f"http://airflow-apiserver:{api_port}/execution/"
    )
    assert services["airflow-apiserver"]["ports"][0].endswith(f":{api_port}")
    for key in env:
        if key.startswith("AIRFLOW__"):
            _, section, option = key.lower().split("__", 2)
            known = conf.configuration_description.get(section, {}).get("options", {})
            if option.endswith("_cmd"):  # only a sensitive setting may be read from a command
                option = option.removesuffix("_cmd")
                assert (section, option) in conf.sensitive_config_values, key
            assert option in known, f"{key} is not an Airflow setting"
    # the data home is the named volume, where the Dockerfile's DXWH_HOME points
    home = _dockerfile_env()["DXWH_HOME"]
    assert env["DXWH_HOME"] == home
    for name in AIRFLOW_SERVICES:
        assert f"dxwh-data:{home}" in services[name]["volumes"]
    assert env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"].startswith(home)
    assert {"dxwh-data", "postgres-db"} <= set(compose["volumes"])


def test_every_variable_is_in_env_example_and_used(compose: dict[str, Any]) -> None:
    example = env_example()
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    missing = referenced_variables(text) - set(example)
    assert not missing, f".env.example lacks {sorted(missing)}"
    code = "\n".join(
        p.read_text(encoding="utf-8")
        for package in ("core", "pipeline", "warehouse", "dags")
        for p in (REPO / package).rglob("*.py")
    )
    for key in example:
        assert key in text or key in code, f".env.example sets {key}, which nothing reads"


def test_healthchecks_and_start_order(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert "healthcheck" in services["postgres"]
    for name in AIRFLOW_SERVICES:
        depends = services[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["secrets-init"]["condition"] == "service_completed_successfully"
        if name != "airflow-init":
            assert "healthcheck" in services[name], f"{name} has no healthcheck"
            assert depends["airflow-init"]["condition"] == "service_completed_successfully"
    postgres = services["postgres"]
    assert postgres["depends_on"]["secrets-init"]["condition"] == "service_completed_successfully"
