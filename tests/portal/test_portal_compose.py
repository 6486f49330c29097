"""The ``portal`` service of docker-compose.yml: same image, shared data home, its own settings."""

from __future__ import annotations

from typing import Any

from pipeline.cli import build_parser
from tests.deploy.compose import env_example, load_compose, service_command, service_environment


def _portal() -> dict[str, Any]:
    return load_compose()["services"]["portal"]


def test_portal_service_serves_the_portal_on_the_shared_volume() -> None:
    compose = load_compose()
    portal, init = compose["services"]["portal"], compose["services"]["airflow-init"]
    assert portal["image"] == init["image"] and portal["build"] == init["build"]
    command = service_command(portal)
    assert command[:3] == ["dxwh", "portal", "serve"]
    args = build_parser().parse_args(command[1:])  # a real command line of dxwh
    env = service_environment(portal, env_example())
    assert f"dxwh-data:{env['DXWH_HOME']}" in portal["volumes"]
    assert portal["ports"][0].endswith(f":{args.port}")
    assert f":{args.port}/healthz" in " ".join(portal["healthcheck"]["test"])
    assert args.host == "0.0.0.0"


def test_portal_gets_no_database_secrets() -> None:
    env = service_environment(_portal(), env_example())
    assert "env_file" not in _portal()
    assert not any(key.startswith(("POSTGRES_", "AIRFLOW")) for key in env)
    assert env["DXWH_PORTAL_SECRET"]  # sessions are signed with a configured secret


def test_the_portal_service_runs_a_fixed_number_of_workers() -> None:
    # a container sees every core of its host: the default (one per core) is not for it
    args = build_parser().parse_args(service_command(_portal())[1:])
    assert args.workers == 2
