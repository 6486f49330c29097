"""Feedback to the unit: every problem with its place, the value found and how to fix it."""

from __future__ import annotations

from ingest.submissions.checks import CheckedSubmission

_WORDS = {
    "vi": {
        "accepted": "ĐƯỢC CHẤP NHẬN",
        "accepted_warn": "ĐƯỢC CHẤP NHẬN (có lưu ý)",
        "partial": "CHẤP NHẬN MỘT PHẦN: các dòng lỗi bị giữ lại",
        "rejected": "BỊ TỪ CHỐI",
        "error": "Lỗi",
        "warning": "Lưu ý",
        "fix": "Cách sửa",
        "found": "giá trị",
        "rows": "{ok} dòng hợp lệ, {bad} dòng lỗi",
    },
    "en": {
        "accepted": "ACCEPTED",
        "accepted_warn": "ACCEPTED (with warnings)",
        "partial": "PARTLY ACCEPTED: rows with errors are held back",
        "rejected": "REJECTED",
        "error": "Error",
        "warning": "Warning",
        "fix": "How to fix",
        "found": "value",
        "rows": "{ok} valid rows, {bad} rows with errors",
    },
}


def verdict(checked: CheckedSubmission) -> str:
    if not checked.file_ok:
        return "rejected"
    if not checked.accepted_whole:
        return "partial"
    return "accepted_warn" if checked.all_problems else "accepted"


def format_report(name: str, checked: CheckedSubmission, lang: str = "vi") -> str:
    """Plain-text report for one file, Vietnamese by default."""
    words = _WORDS["en" if lang == "en" else "vi"]
    ok_rows = sum(1 for r in checked.rows if r.ok)
    lines = [
        f"{name}: {words[verdict(checked)]}",
        "  " + words["rows"].format(ok=ok_rows, bad=len(checked.rows) - ok_rows),
    ]
    for p in checked.all_problems:
        kind = words["error"] if p.is_error else words["warning"]
        where = p.location(lang)
        found = f" ({words['found']}: '{p.value}')" if p.value else ""
        lines.append(f"  - {kind} [{p.code}] {where}{found}: {p.message(lang)}")
        lines.append(f"    {words['fix']}: {p.fix(lang)}")
    return "\n".join(lines)
