"""A unit's clerk: the periods to report, the pre-filled template, uploads and their verdicts.

Every route requires a signed-in party of role ``unit``; the upload form is CSRF-checked
(both by the router, :func:`portal.deps.page_router`).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import File, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ingest.submissions.template import write_template
from portal.deps import PortalDep, UnitClerk, page_router
from portal.history import history, still_to_fix
from portal.intake import accept
from portal.units import template_values, unit_periods

router = page_router(role="unit", prefix="/unit")


@router.get("", response_class=HTMLResponse)
def unit_home(request: Request, portal: PortalDep, who: UnitClerk) -> Response:
    assert who.unit_id is not None
    unit = portal.unit_of(who.unit_id)
    uploads = portal.store.uploads_of(who.unit_id)
    rows, busy = history(uploads, portal.state, who.unit_id)
    submitted = {u.period_id for u in uploads if u.is_queued and u.period_id}
    submitted |= {r.period_id for r in portal.state.compliance(None, who.unit_id) if r.is_submitted}
    periods = unit_periods(portal.by_code[who.unit_id], portal.today(), submitted, portal.calendar)
    return portal.page(
        request,
        "unit.html",
        unit=unit,
        periods=still_to_fix(periods, uploads),
        history=rows,
        busy=busy,
        max_mb=portal.config.max_upload_bytes / 1048576,
    )


@router.get("/template")
def unit_template(portal: PortalDep, who: UnitClerk, period: str) -> Response:
    assert who.unit_id is not None
    offered = unit_periods(portal.by_code[who.unit_id], portal.today(), set(), portal.calendar)
    if period not in {p.period_id for p in offered}:
        raise HTTPException(404, f"Kỳ báo cáo '{period}' không mở cho đơn vị này.")
    unit = portal.unit_of(who.unit_id)
    with tempfile.TemporaryDirectory(dir=portal.config.incoming_dir) as folder:
        path = write_template(Path(folder) / "template.xlsx", template_values(unit, period))
        content = path.read_bytes()
    portal.store.log(who.actor, who.unit_id, "template_downloaded", period)
    filename = f"BaoCaoNhanLucCDS_{unit.unit_id}_{period}.xlsx"
    return Response(
        content,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post("/upload")
def unit_upload(portal: PortalDep, who: UnitClerk, file: Annotated[UploadFile, File()]) -> Response:
    upload = accept(portal, who, file, "web")
    return RedirectResponse(f"/unit/submissions/{upload.upload_id}", status_code=303)


@router.get("/submissions/{upload_id}", response_class=HTMLResponse)
def unit_submission(
    request: Request, portal: PortalDep, who: UnitClerk, upload_id: str
) -> Response:
    upload = portal.store.get_upload(upload_id)
    # another unit's file is "not found", not "forbidden": its existence is not told either
    if upload is None or upload.unit_id != who.unit_id:
        raise HTTPException(404, "Không tìm thấy tệp này trong các tệp của đơn vị.")
    return portal.page(
        request, "submission.html", upload=upload, unit=portal.unit_of(upload.unit_id)
    )
