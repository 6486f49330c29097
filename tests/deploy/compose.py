"""Read docker-compose.yml and .env.example the way ``docker compose`` does (the parts used)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
ENV_EXAMPLE = REPO / ".env.example"
DOCKERFILE = REPO / "Dockerfile"

VARIABLE = re.compile(r"(?<!\$)\$\{([A-Z0-9_]+)(?::-([^}]*))?\}")


def load_compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def env_example() -> dict[str, str]:
    values: dict[str, str] = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def referenced_variables(text: str) -> set[str]:
    return {m.group(1) for m in VARIABLE.finditer(text)}


def interpolate(value: str, env: dict[str, str]) -> str:
    """``${VAR}`` and ``${VAR:-default}``, as compose substitutes them from ``.env``."""
    return VARIABLE.sub(lambda m: env.get(m.group(1)) or (m.group(2) or ""), value)


def service_environment(service: dict[str, Any], env: dict[str, str]) -> dict[str, str]:
    """The container environment of ``service``: its ``env_file`` (.env) then ``environment``."""
    result = dict(env) if service.get("env_file") else {}
    for key, value in (service.get("environment") or {}).items():
        result[key] = interpolate(str(value), env)
    return result


def service_command(service: dict[str, Any]) -> list[str]:
    command = service["command"]
    return list(command) if isinstance(command, list) else str(command).split()
