"""Feedback to the unit: every problem with its place, the value found and how to fix it.

The same report is printed by ``dxwh check`` and written during ingest, for every rejected or
partly rejected file, as text and as a small HTML page under ``$DXWH_HOME/feedback/<unit>/``,
with an ``index.html`` that lists the reports grouped by unit.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

from ingest.problems import Problem
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
        "rows_rejected": "{n} dòng dữ liệu, không dòng nào được nạp vì tệp bị từ chối"
        " ({bad} dòng có lỗi riêng)",
        "where": "Vị trí",
        "problem": "Vấn đề",
        "title": "Kết quả kiểm tra báo cáo nhân lực CĐS",
        "index": "Phản hồi cho các đơn vị",
        "unit": "Đơn vị",
        "unknown": "Chưa xác định đơn vị",
        "file": "Tệp",
        "checked_at": "Kiểm tra lúc",
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
        "rows_rejected": "{n} data rows, none loaded because the file is rejected"
        " ({bad} with errors of their own)",
        "where": "Where",
        "problem": "Problem",
        "title": "Check of the CĐS staffing report",
        "index": "Feedback to units",
        "unit": "Unit",
        "unknown": "Unit not identified",
        "file": "File",
        "checked_at": "Checked at",
    },
}


def verdict(checked: CheckedSubmission) -> str:
    if not checked.file_ok:
        return "rejected"
    if not checked.accepted_whole:
        return "partial"
    return "accepted_warn" if checked.all_problems else "accepted"


def _rows_line(checked: CheckedSubmission, lang: str) -> str:
    words = _WORDS[lang]
    ok = sum(1 for r in checked.rows if r.ok)
    bad = len(checked.rows) - ok
    if not checked.file_ok:
        return words["rows_rejected"].format(n=len(checked.rows), bad=bad)
    return words["rows"].format(ok=ok, bad=bad)


def _found(p: Problem, lang: str) -> str:
    """The value found, unless the message already quotes it."""
    if not p.value or p.value in p.message(lang):
        return ""
    return f" ({_WORDS[lang]['found']}: '{p.value}')"


def format_report(name: str, checked: CheckedSubmission, lang: str = "vi") -> str:
    """Plain-text report for one file, Vietnamese by default."""
    lang = "en" if lang == "en" else "vi"
    words = _WORDS[lang]
    lines = [f"{name}: {words[verdict(checked)]}", "  " + _rows_line(checked, lang)]
    for p in checked.all_problems:
        kind = words["error"] if p.is_error else words["warning"]
        where = p.location(lang)
        where = f" {where}" if where else ""
        lines.append(f"  - {kind} [{p.code}]{where}{_found(p, lang)}: {p.message(lang)}")
        lines.append(f"    {words['fix']}: {p.fix(lang)}")
    return "\n".join(lines)


_STYLE = (
    "body{font-family:system-ui,Arial,sans-serif;margin:2em;max-width:70em}"
    "table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3em .5em;"
    "text-align:left;vertical-align:top}.error{color:#a00}.warning{color:#8a6d00}"
    ".rejected{color:#a00}.partial{color:#8a6d00}.accepted,.accepted_warn{color:#070}"
)


def _html_section(name: str, checked: CheckedSubmission, lang: str) -> str:
    words = _WORDS[lang]
    status = verdict(checked)
    rows = "".join(
        "<tr>"
        f"<td class='{p.severity}'>{words['error'] if p.is_error else words['warning']}"
        f"<br><code>{p.code}</code></td>"
        f"<td>{html.escape(p.location(lang))}</td>"
        f"<td>{html.escape(p.message(lang))}{html.escape(_found(p, lang))}</td>"
        f"<td>{html.escape(p.fix(lang))}</td>"
        "</tr>"
        for p in checked.all_problems
    )
    return (
        f"<section lang='{lang}'><h1>{words['title']}</h1>"
        f"<p>{words['file']}: <b>{html.escape(name)}</b></p>"
        f"<p class='{status}'><b>{words[status]}</b> — "
        f"{html.escape(_rows_line(checked, lang))}</p>"
        f"<table><tr><th></th><th>{words['where']}</th><th>{words['problem']}</th>"
        f"<th>{words['fix']}</th></tr>{rows}</table></section>"
    )


def format_html(name: str, checked: CheckedSubmission) -> str:
    """A small self-contained HTML page: the report in Vietnamese, then in English."""
    return (
        f"<!doctype html><html lang='vi'><head><meta charset='utf-8'>"
        f"<title>{html.escape(name)}</title><style>{_STYLE}</style></head><body>"
        + _html_section(name, checked, "vi")
        + "<hr>"
        + _html_section(name, checked, "en")
        + "</body></html>\n"
    )


@dataclass(frozen=True)
class FeedbackFiles:
    text: Path
    html: Path


def _slug(text: str) -> str:
    return re.sub(r"[^\w.-]+", "_", text).strip("_") or "file"


def write_feedback(
    feedback_dir: Path,
    source: str,
    sha256: str,
    checked: CheckedSubmission,
    unit_code: str | None,
    checked_at: dt.datetime,
) -> FeedbackFiles:
    """Write the text and HTML reports of one file (Vietnamese, then English) and its entry."""
    folder = feedback_dir / _slug(unit_code or "unknown")
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{_slug(source)}.{sha256[:8]}"
    text = folder / f"{stem}.txt"
    page = folder / f"{stem}.html"
    text.write_text(
        format_report(source, checked, "vi") + "\n\n" + format_report(source, checked, "en") + "\n",
        encoding="utf-8",
    )
    page.write_text(format_html(source, checked), encoding="utf-8")
    entry = {
        "source_file": source,
        "sha256": sha256,
        "unit_code": unit_code,
        "unit_name": str(checked.unit.get("unit_name") or ""),
        "period_id": checked.unit.get("period_id"),
        "status": verdict(checked),
        "n_errors": sum(1 for p in checked.all_problems if p.is_error),
        "checked_at": checked_at.isoformat(timespec="seconds"),
        "page": page.name,
    }
    (folder / f"{stem}.json").write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")
    return FeedbackFiles(text=text, html=page)


def write_index(feedback_dir: Path, lang: str = "vi") -> Path:
    """``index.html``: every report written so far, grouped by unit, newest first."""
    words = _WORDS["en" if lang == "en" else "vi"]
    entries: dict[str, list[dict[str, object]]] = {}
    for meta in sorted(feedback_dir.glob("*/*.json")):
        entry = json.loads(meta.read_text(encoding="utf-8"))
        entries.setdefault(meta.parent.name, []).append(entry)
    sections = []
    for folder in sorted(entries, key=lambda f: (f == "unknown", f)):
        items = sorted(entries[folder], key=lambda e: str(e["checked_at"]), reverse=True)
        names = {str(e["unit_name"]) for e in items if e["unit_name"]}
        heading = words["unknown"] if folder == "unknown" else f"{folder} {' / '.join(names)}"
        links = "".join(
            f"<li><a href='{html.escape(folder)}/{html.escape(str(e['page']))}'>"
            f"{html.escape(str(e['source_file']))}</a> — "
            f"<span class='{e['status']}'>{words[str(e['status'])]}</span>"
            f" · {e['period_id'] or ''} · {words['checked_at']} {e['checked_at']}</li>"
            for e in items
        )
        sections.append(f"<h2>{html.escape(heading)}</h2><ul>{links}</ul>")
    index = feedback_dir / "index.html"
    feedback_dir.mkdir(parents=True, exist_ok=True)
    index.write_text(
        f"<!doctype html><html lang='vi'><head><meta charset='utf-8'><title>{words['index']}"
        f"</title><style>{_STYLE}</style></head><body><h1>{words['index']}</h1>"
        + "".join(sections)
        + "</body></html>\n",
        encoding="utf-8",
    )
    return index
