"""The portal's web application (FastAPI, server-rendered Jinja2 pages, no front-end build).

Pages for a unit's clerk (``/unit``…), for the provincial office (``/office``…), and a JSON API
for district software (``POST /api/submissions``). Everything the pages need is served from this
package: no CDN, so the portal works on an offline provincial network.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, File, Form, HTTPException, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.reporting_calendar import load_calendar
from core.settings import Settings
from ingest.registry import ReportingUnit, build_registry
from ingest.submissions.checks import index_registry
from ingest.submissions.feedback import verdict_label
from ingest.submissions.template import write_template
from portal.config import PortalConfig, load_portal_config
from portal.intake import UploadTooLarge, check_and_file, display_name, receive
from portal.security import (
    CSRF_FIELD,
    Identity,
    NotSignedIn,
    SignInThrottle,
    bearer_identity,
    check_csrf,
    check_upload_rate,
    csrf_token,
    identity,
    sign_in,
    sign_out,
)
from portal.store import PortalStore, Upload
from portal.units import (
    LEVEL_LABELS,
    UnitPeriod,
    current_version,
    period_label,
    template_values,
    unit_periods,
)
from portal.warehouse_state import ComplianceRow, FileLoad, WarehouseState

PACKAGE_DIR = Path(__file__).resolve().parent
# Vietnam keeps one offset all year (no daylight saving): no time-zone database is needed
VIETNAM = dt.timezone(dt.timedelta(hours=7), "ICT")
# multipart framing around the file: a body past limit + this is refused before it is read
FORM_OVERHEAD = 64 * 1024
QUEUED_VERDICTS = ("accepted", "accepted_warn", "partial")


def local_time(value: str | None) -> str:
    """An ISO timestamp as people in Vietnam read it: ``01/12/2026 23:40``."""
    if not value:
        return ""
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")


def local_date(value: str | dt.date | None) -> str:
    if not value:
        return ""
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    return day.strftime("%d/%m/%Y")


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
                    raise HTTPException(413, _too_large_message(self.limit - FORM_OVERHEAD))
            return message

        await self.app(scope, limited, send)


@dataclass(frozen=True)
class HistoryRow:
    """One upload in a unit's history, with what the nightly run made of it."""

    upload: Upload
    verdict_vi: str
    is_current: bool | None  # None: not known yet
    current_note: str
    warehouse_vi: str
    warehouse_state: str  # waiting | loaded | in_warehouse | replaced | rejected | busy


def _warehouse_note(
    upload: Upload,
    loads: dict[str, FileLoad] | None,
    published_current: dict[str, str | None],
) -> tuple[str, str]:
    if not upload.is_queued:
        return "rejected", "Không chuyển vào hàng đợi (tệp bị từ chối, lưu lại cho cán bộ vận hành)"
    if loads is None:
        return "busy", "Kho dữ liệu đang cập nhật: xem lại sau ít phút"
    load = loads.get(upload.sha256)
    if load is None:
        return "waiting", "Đang chờ lần chạy hằng đêm"
    if load.status == "duplicate":
        return "replaced", "Trùng nội dung với tệp đã gửi trước"
    current = published_current.get(upload.period_id or "")
    if current == upload.sha256:
        return "in_warehouse", "Đã vào kho dữ liệu (báo cáo hiện hành của kỳ)"
    if current:
        return "replaced", "Đã nạp; kỳ này dùng một tệp khác (gửi sau hoặc ngày lập mới hơn)"
    return "loaded", "Đã nạp, chờ công bố kho dữ liệu"


def history(
    uploads: list[Upload],
    state: WarehouseState,
    unit_id: str,
) -> tuple[list[HistoryRow], bool]:
    """The unit's uploads with their verdicts, current flags and warehouse states.

    Returns the rows and whether the night's state was unavailable (never, since the portal
    reads the record the night writes instead of the build database; kept for the pages).
    """
    busy = False
    loads: dict[str, FileLoad] | None = state.file_loads(u.sha256 for u in uploads if u.is_queued)
    published_current = {
        r.period_id: r.current_submission_id for r in state.compliance(None, unit_id)
    }
    # before the night's run, the portal predicts the current report by the marts' rule: the
    # later date written on the form wins, then the later arrival
    predicted: dict[str, Upload] = {}
    for u in sorted(uploads, key=lambda u: (u.submitted_on or "", u.uploaded_at)):
        if u.is_queued and u.period_id:
            predicted[u.period_id] = u
    rows = []
    for u in uploads:
        key, note = _warehouse_note(u, loads, published_current)
        current = published_current.get(u.period_id or "")
        if not u.is_queued:
            is_current, current_note = False, "Không"
        elif current and loads is not None and u.sha256 in loads:
            is_current = current == u.sha256
            current_note = "Có" if is_current else "Không (đã có tệp thay thế)"
        else:
            is_current = predicted.get(u.period_id or "") is u
            current_note = "Có (dự kiến)" if is_current else "Không (đã có tệp thay thế)"
        rows.append(HistoryRow(u, verdict_label(u.verdict), is_current, current_note, note, key))
    return rows, busy


def still_to_fix(periods: list[UnitPeriod], uploads: list[Upload]) -> list[UnitPeriod]:
    """A period whose latest queued report (``uploads`` newest first, as the store lists
    them) was only partly right says so: "Đã nộp – còn N dòng cần sửa", not a plain green
    "Đã nộp" a clerk might stop at."""
    latest: dict[str, Upload] = {}
    for u in uploads:  # newest first
        if u.is_queued and u.period_id:
            latest.setdefault(u.period_id, u)
    out = []
    for p in periods:
        upload = latest.get(p.period_id)
        if p.state == "submitted" and upload is not None and upload.verdict == "partial":
            n = upload.rows_bad
            p = dataclasses.replace(
                p, state="submitted_to_fix", state_vi=f"Đã nộp – còn {n} dòng cần sửa"
            )
        out.append(p)
    return out


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
    store = PortalStore(config.state_db)
    units = registry if registry is not None else build_registry(settings.registry_scope)
    by_code = index_registry(units)
    calendar = load_calendar()
    state = WarehouseState(settings)
    throttle = SignInThrottle()
    templates = Jinja2Templates(directory=str(PACKAGE_DIR / "templates"))
    templates.env.filters["localtime"] = local_time
    templates.env.filters["localdate"] = local_date
    templates.env.globals.update(
        verdict_label=verdict_label, level_label=LEVEL_LABELS, period_label=period_label
    )

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
    app.mount("/static", StaticFiles(directory=str(PACKAGE_DIR / "static")), name="static")
    app.state.store = store
    app.state.config = config

    def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        who = identity(request, store)
        return templates.TemplateResponse(
            request,
            name,
            {"who": who, "csrf": csrf_token(request), "csrf_field": CSRF_FIELD, **context},
            status_code=status,
        )

    def require(request: Request, role: str) -> Identity:
        who = identity(request, store)
        if who is None:
            raise NotSignedIn()
        if who.role != role:
            raise HTTPException(403, "Trang này không dành cho tài khoản đang đăng nhập.")
        if who.unit_id is not None and who.unit_id not in by_code:
            raise HTTPException(
                403, f"Đơn vị {who.unit_id} không có trong danh mục đơn vị báo cáo: liên hệ Sở."
            )
        return who

    def unit_of(unit_id: str) -> ReportingUnit:
        return current_version(by_code[unit_id], today())

    # errors --------------------------------------------------------------------------------

    @app.exception_handler(NotSignedIn)
    async def _signed_out(request: Request, exc: NotSignedIn) -> Response:
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)
        return page(request, "error.html", exc.status_code, message=exc.detail)

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: RequestValidationError) -> Response:
        message = "Yêu cầu không hợp lệ: thiếu tệp hoặc thông tin của biểu mẫu."
        if request.url.path.startswith("/api/"):
            return JSONResponse(
                {"detail": message + " / Malformed request: send the file as multipart field "
                 "'file'.", "errors": jsonable_errors(exc)},
                400,
            )  # fmt: skip
        return page(request, "error.html", 400, message=message)

    @app.middleware("http")
    async def _limit_body(request: Request, call_next: Callable[[Request], Any]) -> Response:
        length = request.headers.get("content-length", "")
        too_long = length.isdigit() and int(length) > config.max_upload_bytes + FORM_OVERHEAD
        if request.method == "POST" and too_long:
            return _too_large(request, config.max_upload_bytes)
        response: Response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            # inline styles only (the loader's feedback pages carry theirs); no inline scripts
            "Content-Security-Policy",
            "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
        )
        return response

    # sign-in -------------------------------------------------------------------------------

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request) -> Response:
        who = identity(request, store)
        if who is None:
            return RedirectResponse("/login", status_code=303)
        return RedirectResponse("/office" if who.role == "office" else "/unit", status_code=303)

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request) -> Response:
        return page(request, "login.html")

    @app.post("/login", response_class=HTMLResponse)
    def login(
        request: Request,
        token: Annotated[str, Form()] = "",
        csrf_token_value: Annotated[str, Form(alias=CSRF_FIELD)] = "",
    ) -> Response:
        check_csrf(request, csrf_token_value)
        client = request.client.host if request.client else "?"
        if throttle.blocked(client):
            raise HTTPException(429, "Đăng nhập sai quá nhiều lần: hãy chờ 15 phút rồi thử lại.")
        record = store.verify_token(token.strip())
        if record is None:
            throttle.failed(client)
            store.log(f"client:{client}", None, "sign_in_failed", "mã truy cập không hợp lệ")
            return page(
                request,
                "login.html",
                401,
                error="Mã truy cập không đúng hoặc đã bị thu hồi. Liên hệ Sở để được cấp mã mới.",
            )
        sign_in(request, record, store, config.session_hours)
        store.log(f"token:{record.token_id}", record.unit_id, "sign_in", record.label)
        return RedirectResponse("/office" if record.role == "office" else "/unit", 303)

    @app.post("/logout")
    def logout(
        request: Request, csrf_token_value: Annotated[str, Form(alias=CSRF_FIELD)] = ""
    ) -> Response:
        check_csrf(request, csrf_token_value)
        sign_out(request, store)
        return RedirectResponse("/login", status_code=303)

    # a unit's clerk ------------------------------------------------------------------------

    @app.get("/unit", response_class=HTMLResponse)
    def unit_home(request: Request) -> Response:
        who = require(request, "unit")
        assert who.unit_id is not None
        unit = unit_of(who.unit_id)
        uploads = store.uploads_of(who.unit_id)
        rows, busy = history(uploads, state, who.unit_id)
        submitted = {u.period_id for u in uploads if u.is_queued and u.period_id}
        submitted |= {r.period_id for r in state.compliance(None, who.unit_id) if r.is_submitted}
        periods = still_to_fix(
            unit_periods(by_code[who.unit_id], today(), submitted, calendar), uploads
        )
        return page(
            request,
            "unit.html",
            unit=unit,
            periods=periods,
            history=rows,
            busy=busy,
            max_mb=config.max_upload_bytes / 1048576,
        )

    @app.get("/unit/template")
    def unit_template(request: Request, period: str) -> Response:
        who = require(request, "unit")
        assert who.unit_id is not None
        offered = {
            p.period_id for p in unit_periods(by_code[who.unit_id], today(), set(), calendar)
        }
        if period not in offered:
            raise HTTPException(404, f"Kỳ báo cáo '{period}' không mở cho đơn vị này.")
        unit = unit_of(who.unit_id)
        with tempfile.TemporaryDirectory(dir=config.incoming_dir) as folder:
            path = write_template(Path(folder) / "template.xlsx", template_values(unit, period))
            content = path.read_bytes()
        store.log(who.actor, who.unit_id, "template_downloaded", period)
        filename = f"BaoCaoNhanLucCDS_{unit.unit_id}_{period}.xlsx"
        return Response(
            content,
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    def _upload(who: Identity, file: UploadFile, channel: str) -> Upload:
        assert who.unit_id is not None
        check_upload_rate(store, who.unit_id, config.uploads_per_hour)
        name = display_name(file.filename)
        try:
            incoming, size = receive(file.file, config)
        except UploadTooLarge as exc:
            store.log(who.actor, who.unit_id, "upload_too_large", name)
            raise HTTPException(413, _too_large_message(exc.limit)) from exc
        return check_and_file(
            incoming,
            size,
            name,
            unit_id=who.unit_id,
            token_id=who.token_id,
            channel=channel,
            settings=settings,
            config=config,
            store=store,
            registry=by_code,
        ).upload

    @app.post("/unit/upload")
    def unit_upload(
        request: Request,
        file: Annotated[UploadFile, File()],
        csrf_token_value: Annotated[str, Form(alias=CSRF_FIELD)] = "",
    ) -> Response:
        who = require(request, "unit")
        check_csrf(request, csrf_token_value)
        upload = _upload(who, file, "web")
        return RedirectResponse(f"/unit/submissions/{upload.upload_id}", status_code=303)

    @app.get("/unit/submissions/{upload_id}", response_class=HTMLResponse)
    def unit_submission(request: Request, upload_id: str) -> Response:
        who = require(request, "unit")
        upload = store.get_upload(upload_id)
        # another unit's file is "not found", not "forbidden": its existence is not told either
        if upload is None or upload.unit_id != who.unit_id:
            raise HTTPException(404, "Không tìm thấy tệp này trong các tệp của đơn vị.")
        return page(request, "submission.html", upload=upload, unit=unit_of(upload.unit_id))

    # the JSON API --------------------------------------------------------------------------

    @app.post("/api/submissions")
    def api_upload(request: Request, file: Annotated[UploadFile, File()]) -> JSONResponse:
        who = bearer_identity(request, store)
        if who.role != "unit":
            raise HTTPException(403, "Chỉ mã truy cập của đơn vị được gửi báo cáo.")
        upload = _upload(who, file, "api")
        return JSONResponse(
            {
                "upload_id": upload.upload_id,
                "unit_id": upload.unit_id,
                "file": upload.original_name,
                "period_id": upload.period_id,
                "verdict": upload.verdict,
                "verdict_vi": verdict_label(upload.verdict),
                "verdict_en": verdict_label(upload.verdict, "en"),
                "queued": upload.is_queued,
                "sha256": upload.sha256,
                "rows_ok": upload.rows_ok,
                "rows_with_errors": upload.rows_bad,
                "problems": upload.problems,
            }
        )

    # the provincial office -----------------------------------------------------------------

    @app.get("/office", response_class=HTMLResponse)
    def office_home(request: Request, period: str | None = None, show: str = "all") -> Response:
        require(request, "office")
        periods = state.periods()
        chosen = period if period in periods else (periods[0] if periods else None)
        rows = state.compliance(chosen) if chosen else []
        summary = _summary(rows)
        busy = False  # the night's record is a plain file: never locked by the nightly run
        nightly = state.last_files(chosen) if chosen else {}
        shown = [r for r in rows if show not in _MATCHES or _MATCHES[show](r)]
        return page(
            request,
            "office.html",
            periods=periods,
            period=chosen,
            rows=shown,
            show=show if show in OFFICE_FILTERS else "all",
            filters=OFFICE_FILTERS,
            last=store.last_uploads(),
            nightly=nightly,
            busy=busy,
            summary=summary,
            published=state.published_version() is not None,
        )

    @app.get("/office/feedback/{unit_id}/{sha256}", response_class=HTMLResponse)
    def office_feedback(request: Request, unit_id: str, sha256: str) -> Response:
        """The nightly loader's feedback page of one file (written under ``feedback/``)."""
        require(request, "office")
        # both parts are checked against strict patterns before they touch a path
        if not re.fullmatch(r"[A-Za-z0-9-]{1,32}", unit_id) or not re.fullmatch(
            r"[0-9a-f]{64}", sha256
        ):
            raise HTTPException(404, "Không tìm thấy phản hồi này.")
        pages = sorted((settings.feedback_dir / unit_id).glob(f"*.{sha256[:8]}.html"))
        if not pages:
            raise HTTPException(404, "Lần chạy đêm không ghi phản hồi cho tệp này.")
        return HTMLResponse(pages[-1].read_text(encoding="utf-8"))

    @app.get("/office/units/{unit_id}", response_class=HTMLResponse)
    def office_unit(request: Request, unit_id: str) -> Response:
        require(request, "office")
        if unit_id not in by_code:
            raise HTTPException(404, f"Không có đơn vị mã '{unit_id}' trong danh mục.")
        rows, busy = history(store.uploads_of(unit_id), state, unit_id)
        return page(
            request, "office_unit.html", unit=unit_of(unit_id), history=rows, busy=busy,
            compliance=state.compliance(None, unit_id),
        )  # fmt: skip

    @app.get("/office/submissions/{upload_id}", response_class=HTMLResponse)
    def office_submission(request: Request, upload_id: str) -> Response:
        require(request, "office")
        upload = store.get_upload(upload_id)
        if upload is None:
            raise HTTPException(404, "Không tìm thấy tệp này.")
        return page(request, "submission.html", upload=upload, unit=unit_of(upload.unit_id))

    @app.get("/office/access", response_class=HTMLResponse)
    def office_access(request: Request) -> Response:
        require(request, "office")
        return page(request, "office_access.html", tokens=store.list_tokens(), names=_names())

    def _names() -> dict[str, str]:
        return {code: unit_of(code).unit_name for code in by_code}

    @app.post("/office/access", response_class=HTMLResponse)
    def office_issue(
        request: Request,
        unit_id: Annotated[str, Form()] = "",
        label: Annotated[str, Form()] = "",
        csrf_token_value: Annotated[str, Form(alias=CSRF_FIELD)] = "",
    ) -> Response:
        who = require(request, "office")
        check_csrf(request, csrf_token_value)
        unit_id = unit_id.strip()
        if unit_id not in by_code:
            return page(
                request, "office_access.html", 400, tokens=store.list_tokens(), names=_names(),
                error=f"Không có đơn vị mã '{unit_id}' trong danh mục: kiểm tra lại mã đơn vị.",
            )  # fmt: skip
        record, token = store.issue_token(
            "unit", unit_id, label.strip()[:100] or unit_of(unit_id).unit_name, who.actor
        )
        return page(
            request, "office_access.html", tokens=store.list_tokens(), names=_names(),
            issued=record, issued_token=token,
        )  # fmt: skip

    @app.post("/office/access/{token_id}/revoke")
    def office_revoke(
        request: Request,
        token_id: str,
        csrf_token_value: Annotated[str, Form(alias=CSRF_FIELD)] = "",
    ) -> Response:
        who = require(request, "office")
        check_csrf(request, csrf_token_value)
        if not store.revoke_token(token_id, who.actor):
            raise HTTPException(404, "Mã truy cập không tồn tại hoặc đã bị thu hồi.")
        return RedirectResponse("/office/access", status_code=303)

    @app.get("/office/audit", response_class=HTMLResponse)
    def office_audit(request: Request) -> Response:
        require(request, "office")
        return page(request, "office_audit.html", entries=store.audit(), actions=AUDIT_ACTIONS)

    return app


AUDIT_ACTIONS = {
    "sign_in": "Đăng nhập",
    "sign_in_failed": "Đăng nhập sai mã",
    "template_downloaded": "Tải mẫu báo cáo",
    "upload_queued": "Gửi tệp: vào hàng đợi",
    "upload_rejected": "Gửi tệp: bị từ chối",
    "upload_too_large": "Gửi tệp quá lớn",
    "token_issued": "Cấp mã truy cập",
    "token_revoked": "Thu hồi mã truy cập",
}
OFFICE_FILTERS = {
    "missing": "Chưa nộp",
    "late": "Nộp muộn",
    "on_time": "Đúng hạn",
    "not_yet_due": "Chưa đến hạn",
    "no_focal_point": "Chưa có đầu mối CĐS",
}
# the mart's reporting status: before a period's deadline a unit without a report is not yet
# due, never missing
_MATCHES: dict[str, Callable[[ComplianceRow], bool]] = {
    "missing": lambda r: r.reporting_status == "missing",
    "late": lambda r: r.reporting_status == "late",
    "on_time": lambda r: r.reporting_status == "on_time",
    "not_yet_due": lambda r: r.reporting_status == "not_yet_due",
    "no_focal_point": lambda r: r.is_submitted and r.has_focal_point is False,
}


def _summary(rows: list[ComplianceRow]) -> dict[str, int]:
    return {"units": len(rows), **{key: sum(map(match, rows)) for key, match in _MATCHES.items()}}


def _too_large_message(limit: int) -> str:
    return (
        f"Tệp quá lớn: giới hạn là {limit / 1048576:.0f} MB. Chỉ gửi hai trang tính DonVi và "
        "NhanLuc theo mẫu, không kèm hình ảnh. / The file is larger than the limit."
    )


def _too_large(request: Request, limit: int) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": _too_large_message(limit)}, 413)
    return HTMLResponse(
        "<!doctype html><html lang='vi'><meta charset='utf-8'><title>Tệp quá lớn</title>"
        f"<link rel='stylesheet' href='/static/portal.css'><main><h1>Tệp quá lớn</h1>"
        f"<p>{_too_large_message(limit)}</p><p><a href='/unit'>Quay lại</a></p></main></html>",
        413,
    )


def jsonable_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    """The validation errors' locations and messages (no echo of the request body)."""
    return [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", ""))} for e in exc.errors()]
