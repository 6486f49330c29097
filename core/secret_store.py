"""Secrets are never defaults: an unset one is generated once into the data home, a placeholder
stops the service.

Every secret dxwh uses (the pseudonym key, the portal's cookie key, the Airflow admin password)
comes from its environment variable when set, else from ``<data home>/secrets/<name>``, written
0600 the first time it is needed (:mod:`core.private_files`) and kept: person keys stay the same
from one night to the next. A value copied from ``.env.example`` (``change-me``) or the old demo
key is refused with a message naming the variable and how to make a good value, unless
``DXWH_DEMO_SECRETS=1`` is set on purpose for a throw-away demo (the run then says so).
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Mapping
from pathlib import Path

from core.private_files import write_private

DEMO_SWITCH = "DXWH_DEMO_SECRETS"
# values that are public (they are in this repository): never a key
PLACEHOLDERS = frozenset({"change-me", "changeme", "dxwh-demo-key-change-me"})
# the secrets a compose deployment needs in .env, checked by the init service before any start
DEPLOYMENT_SECRETS = (
    "POSTGRES_PASSWORD",
    "AIRFLOW_ADMIN_PASSWORD",
    "AIRFLOW_FERNET_KEY",
    "AIRFLOW_API_SECRET_KEY",
    "AIRFLOW_JWT_SECRET",
    "DXWH_PSEUDONYM_KEY",
    "DXWH_PORTAL_SECRET",
)
GENERATE_HINT = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'


class PlaceholderSecret(SystemExit):
    """A secret holds a public placeholder value: the service must not start."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"{name} đang là giá trị mẫu công khai: dịch vụ không khởi động. Đặt một giá trị "
            f"ngẫu nhiên ({GENERATE_HINT}) hoặc xoá biến để dxwh tự tạo và giữ trong thư mục "
            f"dữ liệu. / {name} holds a public placeholder: not starting. Set a random value or "
            "unset it to have one generated and kept in the data home "
            f"({DEMO_SWITCH}=1 allows it for a throw-away demo only)."
        )
        self.name = name


def is_placeholder(value: str) -> bool:
    text = value.strip().lower()
    return text in PLACEHOLDERS or "change-me" in text


def demo_secrets_allowed(environ: Mapping[str, str]) -> bool:
    return (environ.get(DEMO_SWITCH) or "").strip().lower() in {"1", "true", "yes"}


def checked(name: str, value: str, environ: Mapping[str, str]) -> str:
    """``value`` unless it is a placeholder (then :class:`PlaceholderSecret`, demo switch aside)."""
    if is_placeholder(value) and not demo_secrets_allowed(environ):
        raise PlaceholderSecret(name)
    return value


def secrets_dir(home: Path) -> Path:
    return home / "secrets"


def secret(
    home: Path, name: str, environ: Mapping[str, str], *, file: Path | None = None, nbytes: int = 32
) -> str:
    """The secret ``name``: from the environment (placeholders refused), else kept in
    ``file`` (default ``<home>/secrets/<name>``), generated there on first use."""
    given = (environ.get(name) or "").strip()
    if given:
        return checked(name, given, environ)
    path = file or secrets_dir(home) / name.lower()
    if not path.is_file():
        # another process may make it first: theirs is the one, read below
        with contextlib.suppress(FileExistsError):
            write_private(path, secrets.token_urlsafe(nbytes), exclusive=True)
    stored = path.read_text(encoding="utf-8").strip()
    return checked(f"{name} ({path})", stored, environ)
