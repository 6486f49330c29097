"""Secrets are never defaults: unset ones are generated once and kept private, placeholders
stop the service unless the demo switch is set on purpose."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from core.secret_store import PlaceholderSecret
from core.settings import load_settings
from pipeline.airflow_init import check_deployment_secrets, write_passwords_file

GOOD = {
    "POSTGRES_PASSWORD": "p-9c1f",
    "AIRFLOW_ADMIN_PASSWORD": "a-77e2",
    "AIRFLOW_FERNET_KEY": "f-1b3d",
    "AIRFLOW_API_SECRET_KEY": "s-4a5c",
    "AIRFLOW_JWT_SECRET": "j-6e7f",
    "DXWH_PSEUDONYM_KEY": "k-8d9a",
    "DXWH_PORTAL_SECRET": "c-0b1c",
}


def test_an_unset_pseudonym_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    env = {"DXWH_HOME": str(tmp_path / "home")}
    first = load_settings(env).pseudonym_key
    assert first == load_settings(env).pseudonym_key  # person keys stay the same night to night
    assert "change-me" not in first and len(first) >= 40
    (kept,) = (tmp_path / "home" / "secrets").iterdir()
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(kept.parent.stat().st_mode) == 0o700
    other = load_settings({"DXWH_HOME": str(tmp_path / "other")}).pseudonym_key
    assert other != first  # no constant shared by every installation


@pytest.mark.parametrize("value", ["change-me", "dxwh-demo-key-change-me", " CHANGE-ME "])
def test_a_placeholder_pseudonym_key_is_refused(tmp_path: Path, value: str) -> None:
    env = {"DXWH_HOME": str(tmp_path), "DXWH_PSEUDONYM_KEY": value}
    with pytest.raises(PlaceholderSecret, match="DXWH_PSEUDONYM_KEY"):
        load_settings(env)
    allowed = load_settings({**env, "DXWH_DEMO_SECRETS": "1"})
    assert allowed.pseudonym_key == value.strip()


@pytest.mark.parametrize("name", sorted(GOOD))
def test_the_deployment_refuses_any_placeholder_secret(name: str) -> None:
    check_deployment_secrets(GOOD)
    with pytest.raises(PlaceholderSecret, match=name):
        check_deployment_secrets({**GOOD, name: "change-me"})


def test_the_admin_password_is_never_written_as_change_me(tmp_path: Path) -> None:
    env = {
        **GOOD,
        "AIRFLOW_ADMIN_PASSWORD": "change-me",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(tmp_path / "a" / "p.json"),
    }
    with pytest.raises(PlaceholderSecret):
        write_passwords_file(env)
    assert not (tmp_path / "a" / "p.json").exists()
