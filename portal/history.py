"""A unit's uploads as its pages show them: the verdict, whether each is the period's current
report, and what the nightly run made of it."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ingest.submissions.feedback import verdict_label
from portal.store import Upload
from portal.units import UnitPeriod
from portal.warehouse_state import FileLoad, WarehouseState


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
