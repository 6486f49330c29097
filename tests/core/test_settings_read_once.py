"""The ``DXWH_*`` settings (the night's and the portal's) are read in core.settings only; the rest
takes a Settings."""

from __future__ import annotations

import ast
from pathlib import Path

from core.settings import (
    AlertSettings,
    PortalSettings,
    alert_settings,
    load_settings,
    portal_settings,
    task_retries,
)
from portal.config import load_portal_config

REPO = Path(__file__).resolve().parents[2]
# the areas that take their settings from core.settings
AREAS = ("pipeline", "dags", "expectations", "warehouse", "ingest", "portal")


def environment_reads(path: Path) -> list[str]:
    """Where ``path`` reads a ``DXWH_*`` variable: ``x.get("DXWH_…")``, ``x["DXWH_…"]``,
    ``os.getenv("DXWH_…")``."""
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    # names bound to a DXWH_ string in this module (SETTING = "DXWH_…"; env.get(SETTING))
    names = {
        target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Constant)
        and str(node.value.value).startswith("DXWH_")
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    for node in ast.walk(tree):
        key: ast.expr | None = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in {"get", "getenv", "pop"} and node.args:
                key = node.args[0]
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            key = node.slice
        if isinstance(key, ast.Constant) and str(key.value).startswith("DXWH_"):
            found.append(f"{path.relative_to(REPO)}:{key.lineno} reads {key.value!s}")
        elif isinstance(key, ast.Name) and key.id in names:
            found.append(f"{path.relative_to(REPO)}:{key.lineno} reads {key.id}")
    return found


def test_no_module_outside_core_settings_reads_a_dxwh_variable() -> None:
    reads = [
        read
        for area in AREAS
        for path in sorted((REPO / area).rglob("*.py"))
        for read in environment_reads(path)
    ]
    assert reads == []


def test_alerts_and_retries_come_with_the_settings(tmp_path: Path) -> None:
    env = {
        "DXWH_HOME": str(tmp_path / "home"),
        "DXWH_PSEUDONYM_KEY": "a-test-key-that-is-long-enough-0123456789",
        "DXWH_TASK_RETRIES": "0",
        "DXWH_ALERT_EMAIL": "a@example.org, b@example.org",
        "DXWH_SMTP_HOST": "smtp.example.org",
        "DXWH_SMTP_PORT": "587",
        "DXWH_SMTP_STARTTLS": "true",
    }

    settings = load_settings(env)

    assert settings.task_retries == 0 == task_retries(env)
    assert settings.alerts == alert_settings(env)
    assert settings.alerts.emails == ("a@example.org", "b@example.org")
    assert (settings.alerts.smtp_port, settings.alerts.smtp_starttls) == (587, True)
    assert task_retries({}) == 2 and alert_settings({}) == AlertSettings()


def test_the_portal_settings_come_with_the_settings(tmp_path: Path) -> None:
    env = {
        "DXWH_HOME": str(tmp_path / "home"),
        "DXWH_PSEUDONYM_KEY": "a-test-key-that-is-long-enough-0123456789",
        "DXWH_MAX_FILE_MB": "5",
        "DXWH_PORTAL_SECRET": "a-cookie-key-that-is-long-enough-0123456789",
        "DXWH_PORTAL_UPLOADS_PER_HOUR": "12",
        "DXWH_PORTAL_SESSION_HOURS": "2",
        "DXWH_PORTAL_HTTPS_ONLY": "true",
    }

    settings = load_settings(env)
    config = load_portal_config(settings)

    assert settings.portal == portal_settings(env)
    assert config.secret_key == env["DXWH_PORTAL_SECRET"]
    assert (config.uploads_per_hour, config.session_hours, config.https_only) == (12, 2, True)
    # unset, the largest upload is the nightly loader's own limit; set, the portal's
    assert config.max_upload_bytes == settings.max_file_bytes == 5 * 1024 * 1024
    bigger = load_portal_config(load_settings({**env, "DXWH_PORTAL_MAX_UPLOAD_MB": "7.5"}))
    assert bigger.max_upload_bytes == int(7.5 * 1024 * 1024)
    assert portal_settings({}) == PortalSettings()
