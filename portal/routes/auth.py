"""Signing in with an access token and out; ``/`` sends each party to its own pages.

The forms are CSRF-checked (the router's dependency) even before anyone is signed in: the
sign-in form carries the token the session was given when the form was shown.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from portal.deps import PortalDep, page_router
from portal.security import identity, sign_in, sign_out

router = page_router()


def _home_of(role: str) -> str:
    return "/office" if role == "office" else "/unit"


@router.get("/", response_class=HTMLResponse)
def home(request: Request, portal: PortalDep) -> Response:
    who = identity(request, portal.store)
    if who is None:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse(_home_of(who.role), status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, portal: PortalDep) -> Response:
    return portal.page(request, "login.html")


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, portal: PortalDep, token: Annotated[str, Form()] = "") -> Response:
    client = request.client.host if request.client else "?"
    if portal.throttle.blocked(client):
        raise HTTPException(429, "Đăng nhập sai quá nhiều lần: hãy chờ 15 phút rồi thử lại.")
    record = portal.store.verify_token(token.strip())
    if record is None:
        portal.throttle.failed(client)
        portal.store.log(f"client:{client}", None, "sign_in_failed", "mã truy cập không hợp lệ")
        return portal.page(
            request,
            "login.html",
            401,
            error="Mã truy cập không đúng hoặc đã bị thu hồi. Liên hệ Sở để được cấp mã mới.",
        )
    sign_in(request, record, portal.store, portal.config.session_hours)
    portal.store.log(f"token:{record.token_id}", record.unit_id, "sign_in", record.label)
    return RedirectResponse(_home_of(record.role), 303)


@router.post("/logout")
def logout(request: Request, portal: PortalDep) -> Response:
    sign_out(request, portal.store)
    return RedirectResponse("/login", status_code=303)
