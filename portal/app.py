"""The portal's web application (FastAPI, server-rendered Jinja2 pages, no front-end build).

:func:`create_app` builds the :class:`~portal.deps.Portal` of one data home, the app-wide
pieces (sessions, body limits, security headers, error pages) and includes the routers of
:mod:`portal.routes`, one per area; what each route needs and who may call it is declared in
:mod:`portal.deps`. Everything the pages need is served from this package: no CDN, so the
portal works on an offline provincial network.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.reporting_calendar import load_calendar
from core.settings import Settings
from ingest.registry import ReportingUnit, build_registry
from ingest.submissions.checks import index_registry
from portal.config import PortalConfig, load_portal_config
from portal.deps import Portal
from portal.pages import STATIC_DIR, VIETNAM, templates, too_large_message
from portal.routes import ROUTERS
from portal.security import NotSignedIn
from portal.store import PortalStore
from portal.upload_names import UploadNames
from portal.warehouse_state import WarehouseState

# multipart framing around the file: a body past limit + this is refused before it is read
FORM_OVERHEAD = 64 * 1024
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    # inline styles only (the loader's feedback pages carry theirs); no inline scripts
    "Content-Security-Policy": (
        "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"
    ),
}


class BodyLimit:
    """Refuse a request body past ``limit`` bytes while it streams in (413).

    The ``Content-Length`` check refuses announced bodies before they are read; this one also
    stops chunked bodies, which announce no length, before the form parser spools them to disk.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    # an HTTPException passes FastAPI's body parsing unchanged
                    raise HTTPException(413, too_large_message(self.limit - FORM_OVERHEAD))
            return message

        await self.app(scope, limited, send)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _add_error_pages(app: FastAPI, portal: Portal) -> None:
    """Errors as the caller reads them: a page for a browser, JSON for the API."""

    @app.exception_handler(NotSignedIn)
    async def _signed_out(request: Request, exc: NotSignedIn) -> Response:
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)
        return portal.page(request, "error.html", exc.status_code, message=exc.detail)

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: RequestValidationError) -> Response:
        message = "Yêu cầu không hợp lệ: thiếu tệp hoặc thông tin của biểu mẫu."
        if _is_api(request):
            return JSONResponse(
                {"detail": message + " / Malformed request: send the file as multipart field "
                 "'file'.", "errors": jsonable_errors(exc)},
                400,
            )  # fmt: skip
        return portal.page(request, "error.html", 400, message=message)


class Guard:
    """What every request passes: an announced body past the limit is refused before it is
    read (413), and every answer carries the security headers.

    Plain ASGI: Starlette's ``BaseHTTPMiddleware`` (``@app.middleware("http")``) runs each
    request through tasks and memory streams of its own, a cost paid on every upload.
    """

    def __init__(self, app: ASGIApp, portal: Portal) -> None:
        self.app = app
        self.portal = portal
        self.limit = portal.config.max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        length = Headers(scope=scope).get("content-length", "")
        too_long = length.isdigit() and int(length) > self.limit + FORM_OVERHEAD
        if scope["method"] == "POST" and too_long:
            response = _too_large(self.portal, Request(scope), self.limit)
            await response(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)


def create_app(
    settings: Settings,
    config: PortalConfig | None = None,
    *,
    today: Callable[[], dt.date] = lambda: dt.datetime.now(VIETNAM).date(),
    registry: list[ReportingUnit] | None = None,
) -> FastAPI:
    """The portal on one data home. ``today`` and ``registry`` are for tests and demos."""
    config = config or load_portal_config(settings)
    config.ensure_dirs()
    portal = Portal(
        settings=settings,
        config=config,
        store=PortalStore(config.state_db),
        by_code=index_registry(
            registry if registry is not None else build_registry(settings.registry_scope)
        ),
        calendar=load_calendar(),
        state=WarehouseState(settings),
        templates=templates(),
        today=today,
        upload_names=UploadNames(settings.home),
    )
    portal.upload_names.tidy()
    app = FastAPI(
        title="Cổng nộp báo cáo nhân lực CĐS",
        docs_url=None,  # the API docs page loads its scripts from a CDN: not offline
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.add_middleware(
        SessionMiddleware,
        secret_key=config.secret_key,
        session_cookie="dxwh_portal",
        max_age=config.session_hours * 3600,
        same_site="strict",
        https_only=config.https_only,
    )
    app.add_middleware(BodyLimit, limit=config.max_upload_bytes + FORM_OVERHEAD)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    app.state.portal = portal
    app.state.store = portal.store
    app.state.config = config
    _add_error_pages(app, portal)
    app.add_middleware(Guard, portal=portal)  # added last: the outermost
    for router in ROUTERS:
        app.include_router(router)
    return app


def app_from_environment() -> FastAPI:
    """The portal of the data home the environment names (``DXWH_HOME``, ``DXWH_PORTAL_*``):
    what each worker process of ``dxwh portal serve --workers N`` builds for itself."""
    from core.settings import load_settings

    return create_app(load_settings())


def _too_large(portal: Portal, request: Request, limit: int) -> Response:
    """413 before the body is read; outside the session, so the page is the plain one."""
    if _is_api(request):
        return JSONResponse({"detail": too_large_message(limit)}, 413)
    page = portal.templates.get_template("too_large.html")
    return HTMLResponse(page.render(message=too_large_message(limit)), 413)


def jsonable_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    """The validation errors' locations and messages (no echo of the request body)."""
    return [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", ""))} for e in exc.errors()]
