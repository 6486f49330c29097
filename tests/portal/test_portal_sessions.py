"""Sessions live on the server: signing out or revoking the token ends them at once, and a
cookie forged with the cookie key opens nothing; a placeholder key stops the portal."""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import subprocess
import sys

import pytest
from itsdangerous import TimestampSigner

from core.secret_store import PlaceholderSecret
from core.settings import Settings, portal_settings
from portal.config import PortalConfig, load_portal_config
from tests.portal.portal_helpers import Portal, csrf_of, sign_in


def _portal_config(settings: Settings, environ: dict[str, str]) -> PortalConfig:
    """The portal's configuration on ``settings`` with its variables read from ``environ``."""
    return load_portal_config(dataclasses.replace(settings, portal=portal_settings(environ)))


def _copy_of(portal: Portal, cookies: dict[str, str]):  # type: ignore[no-untyped-def]
    """A second browser holding a copy of the first one's cookies."""
    thief = portal.client()
    for name, value in cookies.items():
        thief.cookies.set(name, value)
    return thief


def test_a_copied_cookie_stops_working_when_its_owner_signs_out(portal: Portal) -> None:
    clerk = portal.client()
    csrf = sign_in(clerk, portal.unit_token)
    copied = _copy_of(portal, dict(clerk.cookies))
    assert copied.get("/unit").status_code == 200  # the copy works while the session lives

    assert clerk.post("/logout", data={"csrf_token": csrf}).status_code == 200
    assert copied.get("/unit", follow_redirects=False).headers["location"] == "/login"


def test_revoking_a_token_ends_its_sessions_at_once(portal: Portal) -> None:
    clerk = portal.client()
    sign_in(clerk, portal.unit_token)
    record = portal.store.verify_token(portal.unit_token)
    assert record is not None
    assert portal.store.revoke_token(record.token_id, "test")
    assert clerk.get("/unit", follow_redirects=False).headers["location"] == "/login"


def test_a_cookie_forged_with_the_key_and_a_token_id_opens_nothing(portal: Portal) -> None:
    office = portal.store.verify_token(portal.office_token)
    assert office is not None
    payload = {"token_id": office.token_id, "sid": office.token_id, "csrf": "x"}
    data = base64.b64encode(json.dumps(payload).encode())
    forged = TimestampSigner(portal.config.secret_key).sign(data).decode()
    thief = portal.client()
    thief.cookies.set("dxwh_portal", forged)
    assert thief.get("/office", follow_redirects=False).headers["location"] == "/login"
    page = thief.get("/login")
    issued = thief.post(
        "/office/access",
        data={"csrf_token": csrf_of(page.text), "unit_id": "48-SNV", "label": "x"},
        follow_redirects=False,
    )
    assert issued.status_code in (303, 403)
    assert len(portal.store.list_tokens()) == 3  # no token was issued


@pytest.mark.parametrize("value", ["change-me", "dxwh-demo-key-change-me"])
def test_a_placeholder_cookie_key_stops_the_portal(data_home: Settings, value: str) -> None:
    with pytest.raises(PlaceholderSecret):
        _portal_config(data_home, {"DXWH_PORTAL_SECRET": value})
    env = {**os.environ, "DXWH_HOME": str(data_home.home), "DXWH_PORTAL_SECRET": value}
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "portal", "serve", "--port", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode != 0
    assert "DXWH_PORTAL_SECRET" in done.stderr and "giá trị mẫu" in done.stderr


def test_the_demo_switch_allows_a_placeholder_on_purpose(data_home: Settings) -> None:
    config = _portal_config(
        data_home, {"DXWH_PORTAL_SECRET": "change-me", "DXWH_DEMO_SECRETS": "1"}
    )
    assert config.secret_key == "change-me"


def test_an_unset_cookie_key_is_generated_private_and_kept(data_home: Settings) -> None:
    first = _portal_config(data_home, {}).secret_key
    assert len(first) >= 40 and first == _portal_config(data_home, {}).secret_key
    assert oct((data_home.home / "portal" / "session.key").stat().st_mode & 0o777) == "0o600"
