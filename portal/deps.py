"""What a route needs, declared rather than remembered: the portal, who asks, their role, CSRF.

The shape is the FastAPI full-stack template's ``api/deps.py``: a route names what it needs
in its signature (``portal: PortalDep``, ``who: UnitClerk``) and FastAPI resolves it. Access
rules hang on the routers, not on the routes:

- :func:`page_router` makes the router of an area of pages (a browser with a session cookie).
  Every state-changing route on it (POST, PUT, PATCH, DELETE) is CSRF-checked by
  :func:`csrf_checked`; with a ``role``, every route on it requires a signed-in party of that
  role (:func:`unit_clerk`, :func:`office`). A new route on such a router is safe by being
  declared there.
- The JSON API's router depends on :func:`bearer_unit`: a bearer token, never a cookie, so a
  page elsewhere cannot make a browser send it (no CSRF to check).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.params import Depends as DependsParam
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from core.reporting_calendar import ReportingCalendar
from core.settings import Settings
from ingest.registry import ReportingUnit
from portal.config import PortalConfig
from portal.security import (
    CSRF_FIELD,
    Identity,
    NotSignedIn,
    SignInThrottle,
    bearer_identity,
    check_csrf,
    csrf_token,
    identity,
)
from portal.store import PortalStore
from portal.units import current_version
from portal.upload_names import UploadNames
from portal.warehouse_state import WarehouseState

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Portal:
    """The portal on one data home: its state, the registry, the night's record, its pages."""

    settings: Settings
    config: PortalConfig
    store: PortalStore
    by_code: Mapping[str, list[ReportingUnit]]
    calendar: ReportingCalendar
    state: WarehouseState
    templates: Jinja2Templates
    today: Callable[[], dt.date]
    upload_names: UploadNames

    @property
    def throttle(self) -> SignInThrottle:
        """Failed sign-ins per client address, kept in the state database."""
        return SignInThrottle(self.store)

    def unit_of(self, unit_id: str) -> ReportingUnit:
        """The unit as it is named today."""
        return current_version(self.by_code[unit_id], self.today())

    def names(self) -> dict[str, str]:
        """Every unit's code and today's name."""
        return {code: self.unit_of(code).unit_name for code in self.by_code}

    def page(self, request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        """A page of ``portal/templates``, with who is signed in and the form's CSRF token."""
        return self.templates.TemplateResponse(
            request,
            name,
            {
                "who": identity(request, self.store),
                "csrf": csrf_token(request),
                "csrf_field": CSRF_FIELD,
                **context,
            },
            status_code=status,
        )


async def get_portal(request: Request) -> Portal:  # async: no trip through the thread pool
    portal: Portal = request.app.state.portal
    return portal


PortalDep = Annotated[Portal, Depends(get_portal)]


def signed_in(request: Request, portal: PortalDep) -> Identity:
    """The session's party; a visitor not signed in is sent to the sign-in page."""
    who = identity(request, portal.store)
    if who is None:
        raise NotSignedIn()
    if who.unit_id is not None and who.unit_id not in portal.by_code:
        raise HTTPException(
            403, f"Đơn vị {who.unit_id} không có trong danh mục đơn vị báo cáo: liên hệ Sở."
        )
    return who


def _role(role: str) -> Callable[[Identity], Identity]:
    def require(who: Annotated[Identity, Depends(signed_in)]) -> Identity:
        if who.role != role:
            raise HTTPException(403, "Trang này không dành cho tài khoản đang đăng nhập.")
        return who

    require.__name__ = f"role_{role}"
    return require


unit_clerk = _role("unit")
office = _role("office")
UnitClerk = Annotated[Identity, Depends(unit_clerk)]
Office = Annotated[Identity, Depends(office)]
ROLES: dict[str, Callable[[Identity], Identity]] = {"unit": unit_clerk, "office": office}


async def csrf_checked(request: Request) -> None:
    """403 on a state-changing request whose form does not carry the session's CSRF token.

    The form is parsed once: FastAPI has read it already for the route's own fields, and
    Starlette keeps it on the request.
    """
    if request.method not in UNSAFE_METHODS:
        return
    form = await request.form()
    submitted = form.get(CSRF_FIELD)
    check_csrf(request, submitted if isinstance(submitted, str) else None)


def bearer_unit(request: Request, portal: PortalDep) -> Identity:
    """The unit of an ``Authorization: Bearer`` request (401 unknown/revoked, 403 not a unit)."""
    who = bearer_identity(request, portal.store)
    if who.role != "unit":
        raise HTTPException(403, "Chỉ mã truy cập của đơn vị được gửi báo cáo.")
    return who


ApiUnit = Annotated[Identity, Depends(bearer_unit)]


def page_router(*, role: str | None = None, prefix: str = "") -> APIRouter:
    """The router of one area of pages: every state-changing route CSRF-checked and, with
    ``role``, every route for that role only (checked first, then the CSRF token)."""
    checks: list[DependsParam] = [Depends(csrf_checked)]
    if role is not None:
        checks.insert(0, Depends(ROLES[role]))
    return APIRouter(prefix=prefix, dependencies=checks)
