"""The provincial office: who reported each period, a unit's files, access tokens, the log.

Every route requires a signed-in party of role ``office`` and every form is CSRF-checked (both
by the router, :func:`portal.deps.page_router`). A new section of the office view is a route on
:data:`router` (``@router.get("/tien-do")`` serves ``/office/tien-do`` and inherits both
checks) that renders a template extending ``base.html`` (``portal.page(request, "….html")``);
a link in ``base.html``'s office nav puts it in the menu."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated

from fastapi import Form, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from portal.deps import Office, PortalDep, page_router
from portal.history import history
from portal.warehouse_state import ComplianceRow
from warehouse.report.office_workbook import WORKBOOK_NAME
from warehouse.report.plan import published_plan

router = page_router(role="office", prefix="/office")

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


@router.get("", response_class=HTMLResponse)
def office_home(
    request: Request, portal: PortalDep, period: str | None = None, show: str = "all"
) -> Response:
    state = portal.state
    periods = state.periods()
    chosen = period if period in periods else (periods[0] if periods else None)
    rows = state.compliance(chosen) if chosen else []
    shown = [r for r in rows if show not in _MATCHES or _MATCHES[show](r)]
    return portal.page(
        request,
        "office.html",
        periods=periods,
        period=chosen,
        rows=shown,
        show=show if show in OFFICE_FILTERS else "all",
        filters=OFFICE_FILTERS,
        last=portal.store.last_uploads(),
        nightly=state.last_files(chosen) if chosen else {},
        busy=False,  # the night's record is a plain file: never locked by the nightly run
        summary=_summary(rows),
        published=state.published_version() is not None,
    )


@router.get("/can-lam-gi", response_class=HTMLResponse)
def office_plan(request: Request, portal: PortalDep) -> Response:
    """Each plan target's projection and the units holding it back, as the night published
    them (the published warehouse, never the build database), like the scorecard's section."""
    workbook = portal.settings.reports_dir / "scorecard" / WORKBOOK_NAME
    return portal.page(
        request,
        "office_plan.html",
        plan=published_plan(portal.settings.published_db),
        has_workbook=workbook.is_file(),
    )


@router.get("/can-lam-gi.xlsx")
def office_plan_workbook(portal: PortalDep) -> Response:
    """The workbook the night wrote beside the scorecard, for the office to send out."""
    workbook = portal.settings.reports_dir / "scorecard" / WORKBOOK_NAME
    if not workbook.is_file():
        raise HTTPException(404, "Chưa có danh sách: lần chạy đêm chưa ghi bảng tính này.")
    return FileResponse(
        workbook,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename=WORKBOOK_NAME,
    )


@router.get("/feedback/{unit_id}/{sha256}", response_class=HTMLResponse)
def office_feedback(portal: PortalDep, unit_id: str, sha256: str) -> Response:
    """The nightly loader's feedback page of one file (written under ``feedback/``)."""
    # both parts are checked against strict patterns before they touch a path
    if not re.fullmatch(r"[A-Za-z0-9-]{1,32}", unit_id) or not re.fullmatch(
        r"[0-9a-f]{64}", sha256
    ):
        raise HTTPException(404, "Không tìm thấy phản hồi này.")
    pages = sorted((portal.settings.feedback_dir / unit_id).glob(f"*.{sha256[:8]}.html"))
    if not pages:
        raise HTTPException(404, "Lần chạy đêm không ghi phản hồi cho tệp này.")
    return HTMLResponse(pages[-1].read_text(encoding="utf-8"))


@router.get("/units/{unit_id}", response_class=HTMLResponse)
def office_unit(request: Request, portal: PortalDep, unit_id: str) -> Response:
    if unit_id not in portal.by_code:
        raise HTTPException(404, f"Không có đơn vị mã '{unit_id}' trong danh mục.")
    rows, busy = history(portal.store.uploads_of(unit_id), portal.state, unit_id)
    return portal.page(
        request, "office_unit.html", unit=portal.unit_of(unit_id), history=rows, busy=busy,
        compliance=portal.state.compliance(None, unit_id),
    )  # fmt: skip


@router.get("/submissions/{upload_id}", response_class=HTMLResponse)
def office_submission(request: Request, portal: PortalDep, upload_id: str) -> Response:
    upload = portal.store.get_upload(upload_id)
    if upload is None:
        raise HTTPException(404, "Không tìm thấy tệp này.")
    return portal.page(
        request, "submission.html", upload=upload, unit=portal.unit_of(upload.unit_id)
    )


def _access_page(
    request: Request, portal: PortalDep, status: int = 200, **context: object
) -> Response:
    return portal.page(
        request,
        "office_access.html",
        status,
        tokens=portal.store.list_tokens(),
        names=portal.names(),
        **context,
    )


@router.get("/access", response_class=HTMLResponse)
def office_access(request: Request, portal: PortalDep) -> Response:
    return _access_page(request, portal)


@router.post("/access", response_class=HTMLResponse)
def office_issue(
    request: Request,
    portal: PortalDep,
    who: Office,
    unit_id: Annotated[str, Form()] = "",
    label: Annotated[str, Form()] = "",
) -> Response:
    unit_id = unit_id.strip()
    if unit_id not in portal.by_code:
        return _access_page(
            request,
            portal,
            400,
            error=f"Không có đơn vị mã '{unit_id}' trong danh mục: kiểm tra lại mã đơn vị.",
        )
    name = label.strip()[:100] or portal.unit_of(unit_id).unit_name
    record, token = portal.store.issue_token("unit", unit_id, name, who.actor)
    return _access_page(request, portal, issued=record, issued_token=token)


@router.post("/access/{token_id}/revoke")
def office_revoke(portal: PortalDep, who: Office, token_id: str) -> Response:
    if not portal.store.revoke_token(token_id, who.actor):
        raise HTTPException(404, "Mã truy cập không tồn tại hoặc đã bị thu hồi.")
    return RedirectResponse("/office/access", status_code=303)


@router.get("/audit", response_class=HTMLResponse)
def office_audit(request: Request, portal: PortalDep) -> Response:
    return portal.page(
        request, "office_audit.html", entries=portal.store.audit(), actions=AUDIT_ACTIONS
    )
