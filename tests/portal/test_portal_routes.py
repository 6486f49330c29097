"""Every state-changing route is guarded by how it is declared, not by what its body remembers.

The routes are enumerated from the app itself, so a route added later is checked too: without
the session's CSRF token it is refused (403) whatever the party signed in; with the token, a
party of another role is refused (403) and a visitor not signed in is sent to the sign-in page;
the JSON API takes a bearer token only (401 with a session cookie and a CSRF token).
"""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from portal import deps
from tests.portal.portal_helpers import Portal, sign_in

# the only state-changing routes open to any party: signing in and signing out
NO_ROLE = {"/login", "/logout"}


def _unsafe_routes(portal: Portal) -> list[tuple[APIRoute, str]]:
    return [
        (route, method)
        for route in portal.app.routes
        if isinstance(route, APIRoute)
        for method in sorted(route.methods & deps.UNSAFE_METHODS)
    ]


def _role_of(route: APIRoute) -> str | None:
    """The role a route requires, as its dependencies (its router's included) declare it."""
    calls = {d.call for d in route.dependant.dependencies}
    if deps.bearer_unit in calls:
        return "api"
    roles = [role for role, check in deps.ROLES.items() if check in calls]
    assert len(roles) <= 1, route.path
    return roles[0] if roles else None


def _send(client: TestClient, method: str, path: str, csrf: str | None) -> int:
    url = re.sub(r"\{[^}]+\}", "x", path)
    data = {"csrf_token": csrf} if csrf is not None else {}
    files = {"file": ("a.xlsx", b"not a workbook")}
    return client.request(method, url, data=data, files=files, follow_redirects=False).status_code


def _parties(portal: Portal) -> dict[str, tuple[TestClient, str]]:
    parties = {}
    for role, token in (("unit", portal.unit_token), ("office", portal.office_token)):
        client = portal.client()
        parties[role] = (client, sign_in(client, token))
    return parties


def unguarded(portal: Portal) -> list[str]:
    """Each state-changing route, and each party, that got past a check it should have met."""
    parties = _parties(portal)
    visitor = portal.client()
    found = []
    for route, method in _unsafe_routes(portal):
        role = _role_of(route)
        refused = 401 if role == "api" else 403
        for party, (client, csrf) in parties.items():
            for wrong in (None, "not-the-session-token"):
                status = _send(client, method, route.path, wrong)
                if status != refused:
                    found.append(f"{method} {route.path}: {party} without CSRF got {status}")
            if role not in (None, party):
                status = _send(client, method, route.path, csrf)
                if status != refused:
                    found.append(f"{method} {route.path}: {party} (not {role}) got {status}")
        if role is None and route.path not in NO_ROLE:
            found.append(f"{method} {route.path}: no role declared")
        elif role is not None:
            status = _send(visitor, method, route.path, None)
            if status != (401 if role == "api" else 303):
                found.append(f"{method} {route.path}: a visitor got {status}")
    return found


def test_the_app_has_the_state_changing_routes_this_test_checks(portal: Portal) -> None:
    routes = {(route.path, method) for route, method in _unsafe_routes(portal)}
    assert {
        ("/login", "POST"),
        ("/logout", "POST"),
        ("/unit/upload", "POST"),
        ("/office/access", "POST"),
        ("/office/access/{token_id}/revoke", "POST"),
        ("/api/submissions", "POST"),
    } <= routes


def test_every_state_changing_route_refuses_a_missing_csrf_token_and_a_wrong_role(
    portal: Portal,
) -> None:
    assert unguarded(portal) == []
    # nothing was done by the refused requests: no upload, no token issued or revoked
    assert portal.store.uploads_of("48-SKHCN") == []
    assert len(portal.store.list_tokens()) == 3
    assert {e.action for e in portal.store.audit()} <= {"token_issued", "sign_in"}


def test_a_route_added_without_the_routers_checks_is_caught(portal: Portal) -> None:
    @portal.app.post("/office/forgotten")
    def forgotten() -> dict[str, str]:
        return {"status": "changed"}

    @portal.app.delete("/unit/forgotten/{upload_id}")
    def also_forgotten(upload_id: str) -> dict[str, str]:
        return {"status": "deleted"}

    found = unguarded(portal)
    assert "POST /office/forgotten: unit without CSRF got 200" in found
    assert "POST /office/forgotten: no role declared" in found
    assert "DELETE /unit/forgotten/{upload_id}: office without CSRF got 200" in found


@pytest.mark.parametrize("path", ["/unit", "/office", "/office/access", "/office/audit"])
def test_pages_of_one_role_are_refused_to_the_other(portal: Portal, path: str) -> None:
    owner = "office" if path.startswith("/office") else "unit"
    for role, (client, _) in _parties(portal).items():
        status = client.get(path, follow_redirects=False).status_code
        assert status == (200 if role == owner else 403), (path, role)
