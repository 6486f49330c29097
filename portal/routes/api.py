"""The JSON API for district software: ``POST /api/submissions`` with a unit's bearer token.

The router requires the bearer token (:func:`portal.deps.bearer_unit`) on every route; the
API never reads the session cookie, so a page elsewhere cannot make a browser use it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, UploadFile
from fastapi.responses import JSONResponse

from ingest.submissions.feedback import verdict_label
from portal.deps import ApiUnit, PortalDep, bearer_unit
from portal.intake import accept

router = APIRouter(prefix="/api", dependencies=[Depends(bearer_unit)])


@router.post("/submissions")
def api_upload(
    portal: PortalDep, who: ApiUnit, file: Annotated[UploadFile, File()]
) -> JSONResponse:
    upload = accept(portal, who, file, "api")
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
