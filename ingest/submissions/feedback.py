"""Feedback to the unit: every problem with its place, the value found and how to fix it.

The same report is printed by ``dxwh check`` and written during ingest, for every rejected or
partly rejected file, as text and as a small HTML page under ``$DXWH_HOME/feedback/<unit>/``,
with an ``index.html`` that lists the reports grouped by unit. The pages are Jinja templates
(``templates/feedback*.html``, autoescaped): everything read from a file is escaped.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape

from core.private_files import private_dir, write_private
from ingest.problems import Problem
from ingest.submissions.checks import CheckedSubmission

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

_WORDS = {
    "vi": {
        "accepted": "ĐƯỢC CHẤP NHẬN",
        "accepted_warn": "ĐƯỢC CHẤP NHẬN (có lưu ý)",
        "partial": "ĐÃ NHẬN – CÒN DÒNG CẦN SỬA",
        "rejected": "BỊ TỪ CHỐI",
        "replaced": "ĐÃ CÓ TỆP THAY THẾ",
        "error": "Lỗi",
        "warning": "Lưu ý",
        "fix": "Cách sửa",
        "code": "mã",
        "found": "giá trị",
        "where": "Vị trí",
        "problem": "Vấn đề",
        "problems": "Các vấn đề cần xem ({n})",
        "no_problems": "Không có vấn đề nào.",
        "title": "Kết quả kiểm tra báo cáo nhân lực CĐS",
        "index": "Phản hồi cho các đơn vị",
        "index_note": "Mỗi dòng là một tệp bị từ chối hoặc còn dòng cần sửa, xếp theo đơn vị"
        " mà tệp được gửi cho: đơn vị có tệp kiểm tra gần nhất ở trên, trong mỗi đơn vị tệp"
        " mới nhất trước. Giờ kiểm tra là giờ Việt Nam.",
        "unit": "Đơn vị",
        "unknown": "Chưa xác định đơn vị",
        "unknown_unit": "Chưa xác định (tệp không ghi mã đơn vị hoặc không đọc được)",
        "period": "Kỳ báo cáo",
        "unknown_period": "Chưa xác định",
        "file": "Tệp",
        "result": "Kết quả",
        "rows_title": "Số dòng",
        "n_errors": "Số lỗi",
        "checked_at": "Kiểm tra lúc",
        "local_time": "giờ Việt Nam",
        "other_lang": "English below",
    },
    "en": {
        "accepted": "ACCEPTED",
        "accepted_warn": "ACCEPTED (with warnings)",
        "partial": "RECEIVED – ROWS STILL TO FIX",
        "rejected": "REJECTED",
        "replaced": "REPLACED BY A LATER FILE",
        "error": "Error",
        "warning": "Warning",
        "fix": "How to fix",
        "code": "code",
        "found": "value",
        "where": "Where",
        "problem": "Problem",
        "problems": "Problems to look at ({n})",
        "no_problems": "No problems.",
        "title": "Check of the CĐS staffing report",
        "index": "Feedback to units",
        "index_note": "One line per file that was rejected or has rows to fix, grouped by the"
        " unit it was filed under: the unit with the latest report first, newest first within"
        " a unit. Times are Vietnam time.",
        "unit": "Unit",
        "unknown": "Unit not identified",
        "unknown_unit": "Not identified (the file gives no unit code or could not be read)",
        "period": "Reporting period",
        "unknown_period": "Not identified",
        "file": "File",
        "result": "Result",
        "rows_title": "Rows",
        "n_errors": "Errors",
        "checked_at": "Checked at",
        "local_time": "Vietnam time",
        "other_lang": "",
    },
}


def verdict(checked: CheckedSubmission) -> str:
    if not checked.file_ok:
        return "rejected"
    if not checked.accepted_whole:
        return "partial"
    return "accepted_warn" if checked.all_problems else "accepted"


def _count(n: int, lang: str, singular: str, plural: str) -> str:
    """``n`` and its noun: Vietnamese nouns have no plural ("1 dòng", "3 dòng"); English do."""
    if lang == "vi":
        return f"{n} {singular}"
    return f"{n} {singular if n == 1 else plural}"


def verdict_label(status: str, lang: str = "vi") -> str:
    """The words a report uses for a verdict (``accepted``, ``partial``, ``rejected``…)."""
    return _WORDS["en" if lang == "en" else "vi"][status]


def _rows_line(checked: CheckedSubmission, lang: str) -> str:
    ok = sum(1 for r in checked.rows if r.ok)
    bad = len(checked.rows) - ok
    if lang == "vi":
        if not checked.rows:
            return "Không đọc được dòng dữ liệu nào"
        if not checked.file_ok:
            own = f" ({_count(bad, lang, 'dòng', '')} có lỗi riêng)" if bad else ""
            return (
                f"{_count(len(checked.rows), lang, 'dòng', '')} dữ liệu, không dòng nào được nạp"
                f" vì tệp bị từ chối{own}"
            )
        return _rows_counted(checked, lang)
    if not checked.rows:
        return "No data rows were read"
    if not checked.file_ok:
        own = f" ({bad} with errors of their own)" if bad else ""
        return (
            f"{_count(len(checked.rows), lang, 'data row', 'data rows')}, none loaded because"
            f" the file is rejected{own}"
        )
    return _rows_counted(checked, lang)


def _rows_counted(checked: CheckedSubmission, lang: str) -> str:
    """How many people count, how many of their rows still need a fix, how many rows name no
    one (those alone are held back)."""
    people = sum(1 for r in checked.rows if r.loads)
    to_fix = sum(1 for r in checked.rows if r.loads and not r.ok)
    held = len(checked.rows) - people
    if lang == "vi":
        text = f"{people} người được tính"
        if to_fix:
            text += f", trong đó {to_fix} dòng còn giá trị cần sửa (ghi là chưa biết)"
        if held:
            text += f"; {held} dòng không được tính vì không ghi tên một người"
        return text
    text = f"{_count(people, lang, 'person counts', 'people count')}"
    if to_fix:
        text += f", {_count(to_fix, lang, 'row', 'rows')} of them with values to fix (unknown)"
    if held:
        text += f"; {_count(held, lang, 'row', 'rows')} not counted: no person's name"
    return text


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
        where = f" – {where}" if where else ""
        # the sentence first; the code, for whoever helps the clerk, last and in brackets
        lines.append(f"  - {kind}{where}{_found(p, lang)}: {p.message(lang)}")
        lines.append(f"    {words['fix']}: {p.fix(lang)} [{words['code']}: {p.code}]")
    return "\n".join(lines)


def local_time(moment: dt.datetime | str) -> str:
    """A moment as clerks read it: Vietnam time, ``dd/mm/yyyy HH:MM`` (naive means UTC)."""
    when = dt.datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M")


def period_label(period_id: object, lang: str = "vi") -> str:
    """``2024-H1`` → ``6 tháng đầu năm 2024 (2024-H1)``; an unknown period says so."""
    text = str(period_id or "")
    match = re.fullmatch(r"(\d{4})(?:-H([12]))?", text)
    if not match:
        return _WORDS[lang]["unknown_period"]
    year, half = match.groups()
    if lang == "en":
        spelled = {
            None: f"Year {year}",
            "1": f"First half of {year}",
            "2": f"Second half of {year}",
        }
    else:
        spelled = {
            None: f"Năm {year}",
            "1": f"6 tháng đầu năm {year}",
            "2": f"6 tháng cuối năm {year}",
        }
    return f"{spelled[half]} ({text})" if half else spelled[half]


def _unit_label(unit_code: object, unit_name: object, lang: str) -> str:
    if not unit_code:
        return _WORDS[lang]["unknown_unit"]
    return f"{unit_code} – {unit_name}" if unit_name else str(unit_code)


_PAGES = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _problem_rows(problems: list[Problem], lang: str) -> list[dict[str, str]]:
    words = _WORDS[lang]
    return [
        {
            "severity": p.severity,
            "kind": words["error"] if p.is_error else words["warning"],
            "where": p.location(lang),
            "message": p.message(lang) + _found(p, lang),
            "fix": p.fix(lang),
            "code": p.code,
        }
        for p in problems
    ]


def _section(
    name: str,
    checked: CheckedSubmission,
    lang: str,
    unit_code: str | None,
    checked_at: dt.datetime | None,
) -> dict[str, object]:
    words = _WORDS[lang]
    facts = [
        (words["unit"], _unit_label(unit_code, checked.unit.get("unit_name"), lang)),
        (words["period"], period_label(checked.unit.get("period_id"), lang)),
        (words["file"], name),
    ]
    if checked_at is not None:
        facts.append((words["checked_at"], f"{local_time(checked_at)} ({words['local_time']})"))
    facts.append((words["rows_title"], _rows_line(checked, lang)))
    return {
        "lang": lang,
        "words": words,
        "status": verdict(checked),
        "facts": facts,
        "problems": _problem_rows(checked.all_problems, lang),
    }


def format_html(
    name: str,
    checked: CheckedSubmission,
    unit_code: str | None = None,
    checked_at: dt.datetime | None = None,
) -> str:
    """A small self-contained HTML page: the report in Vietnamese, then in English.

    It names the unit (code and name), the reporting period and the file, and opens from disk
    with no network (the CSS is inline). Everything read from the file is escaped.
    """
    code = unit_code or (str(checked.unit.get("unit_code") or "") or None)
    return _PAGES.get_template("feedback.html").render(
        title=f"{_WORDS['vi'][verdict(checked)]} – {name}",
        index_title=_WORDS["vi"]["index"],
        sections=[_section(name, checked, lang, code, checked_at) for lang in ("vi", "en")],
    )


@dataclass(frozen=True)
class FeedbackFiles:
    text: Path
    html: Path


# File names stay far below the 255-byte limit of most file systems whatever the clerk's file
# was called (Vietnamese letters take 2-3 bytes each in UTF-8).
_MAX_SLUG_CHARS = 60


def _slug(text: str, limit: int = _MAX_SLUG_CHARS) -> str:
    slug = re.sub(r"[^\w.-]+", "_", text).strip("_.") or "file"
    return slug[:limit].rstrip("_.") or "file"


def feedback_unit(checked: CheckedSubmission, unit_code: str | None) -> str | None:
    """The unit whose folder gets the feedback: the checked code, else the code as written in
    the file (a rejected file still tells whose it is), else none."""
    if unit_code:
        return unit_code
    written = checked.unit.get("unit_code") or checked.parsed.unit.get("unit_code")
    if isinstance(written, float) and written.is_integer():
        written = int(written)
    text = str(written).strip() if written is not None else ""
    return text if re.fullmatch(r"[0-9A-Za-z.-]{1,20}", text) else None


@dataclass(frozen=True)
class LoadedFile:
    """A file whose rows reached raw: for the index to tell which reports were replaced."""

    unit_code: str
    period_id: str
    arrival_seq: int
    source_file: str


# The portal queues a file as <unit>__<period>__<UTC time>__<random id>.<ext>: the clerk's own
# name for it is not in the name (an upload name never becomes a path).
_PORTAL_NAME = re.compile(
    r"portal/(?P<stored>(?P<unit>[^/_]+)__[^/_]+__(?P<stamp>\d{8}T\d{6}Z)__[0-9a-f]{8}"
    r"\.[A-Za-z0-9]+)$"
)


def upload_names_dir(home: Path) -> Path:
    """Where the portal tells the night the name a clerk uploaded a file under: one private
    file per queued upload, ``<stored name>.name``, below the data home's ``state/``."""
    return home / "state" / "upload_names"


def record_upload_name(
    home: Path, stored_name: str, original_name: str, *, durable: bool = True
) -> Path:
    """Keep ``original_name`` for the portal upload queued as ``portal/<stored_name>``.

    The clerk's file name may carry a person's name: the file is 0600 in a 0700 folder
    (:func:`core.private_files.write_private`), like the upload itself. ``durable=False``
    leaves the flush to disk to the operating system, as for the upload beside it.
    """
    if _PORTAL_NAME.fullmatch(f"portal/{stored_name}") is None:
        raise ValueError(f"{stored_name!r} is not a name the portal stores uploads under")
    path = upload_names_dir(home) / f"{stored_name}.name"
    return write_private(path, original_name, durable=durable)


def _uploaded_name(match: re.Match[str], names: Path | None) -> str | None:
    if names is None:
        return None
    try:
        text = (names / f"{match.group('stored')}.name").read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return text or None


def shown_name(source: str, names: Path | None = None) -> str:
    """A file's name as the clerk can recognise it: a portal upload by the name the clerk
    uploaded it under (kept in ``names``, :func:`upload_names_dir`), else by when it was sent;
    any other file by its name in the inbox."""
    match = _PORTAL_NAME.match(source)
    if match is None:
        return source
    uploaded = _uploaded_name(match, names)
    if uploaded is not None:
        return uploaded
    sent = dt.datetime.strptime(match.group("stamp"), "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    return f"tệp gửi qua cổng lúc {local_time(sent)}"


def _file_words(source: str, names: Path | None) -> str:
    """ "tệp <name>", or the portal upload's own words when its name is not known."""
    match = _PORTAL_NAME.match(source)
    if match is not None and _uploaded_name(match, names) is None:
        return shown_name(source)
    return f"tệp {shown_name(source, names)}"


def filed_under(checked: CheckedSubmission, unit_code: str | None, source: str) -> str | None:
    """The unit a file was filed under: the unit whose portal account sent it; else the unit
    the file names by a code in the registry; else, when the code was mistyped, the unit the
    file names by its name; else the code as written (a rejected file still tells whose it
    is), else none."""
    match = _PORTAL_NAME.match(source)
    if match is not None:
        return match.group("unit")
    named = checked.unit.get("named_unit_id")
    if not checked.unit.get("registry_name") or named is None:
        return feedback_unit(checked, unit_code)
    return str(named)


def write_feedback(
    feedback_dir: Path,
    source: str,
    sha256: str,
    checked: CheckedSubmission,
    unit_code: str | None,
    checked_at: dt.datetime,
    *,
    arrival_seq: int | None = None,
) -> FeedbackFiles:
    """Write the text and HTML reports of one file (Vietnamese, then English) and its entry.

    They go to the folder of the unit the file was filed under (:func:`filed_under`), under a
    bounded file name, readable by the service's user only. The entry keeps the code as
    written in the file when it is not the folder's. A portal upload is named as the clerk
    uploaded it (the data home is the feedback folder's parent, as in ``Settings``).
    """
    private_dir(feedback_dir)
    written_code = feedback_unit(checked, unit_code)
    unit_code = filed_under(checked, unit_code, source)
    folder = private_dir(feedback_dir / _slug(unit_code or "unknown", 20))
    stem = f"{_slug(source)}.{sha256[:8]}"
    text = folder / f"{stem}.txt"
    page = folder / f"{stem}.html"
    shown = shown_name(source, upload_names_dir(feedback_dir.parent))
    write_private(
        text,
        format_report(shown, checked, "vi") + "\n\n" + format_report(shown, checked, "en") + "\n",
        durable=False,
    )
    write_private(page, format_html(shown, checked, unit_code, checked_at), durable=False)
    entry = {
        "source_file": source,
        "shown_name": shown,
        "sha256": sha256,
        "unit_code": unit_code,
        "code_in_file": written_code if written_code != unit_code else None,
        "code_unknown": any(p.code == "UNIT_UNKNOWN" for p in checked.all_problems),
        "unit_name": str(checked.unit.get("unit_name") or ""),
        "registry_name": str(checked.unit.get("registry_name") or ""),
        "period_id": checked.unit.get("period_id"),
        "status": verdict(checked),
        "n_errors": sum(1 for p in checked.all_problems if p.is_error),
        "checked_at": checked_at.isoformat(timespec="seconds"),
        "arrival_seq": arrival_seq,
        "page": page.name,
    }
    write_private(folder / f"{stem}.json", json.dumps(entry, ensure_ascii=False), durable=False)
    return FeedbackFiles(text=text, html=page)


def _replacement(
    folder: str, entry: dict[str, object], loaded: list[LoadedFile]
) -> LoadedFile | None:
    """The later file of the same unit and period whose rows were loaded, if any."""
    seq = entry.get("arrival_seq")
    if not isinstance(seq, int):
        return None
    later = [
        f
        for f in loaded
        if f.unit_code == folder
        and f.period_id == entry.get("period_id")
        and f.arrival_seq > seq
        and f.source_file != entry["source_file"]
    ]
    return max(later, key=lambda f: f.arrival_seq, default=None)


def _index_notes(folder: str, entry: dict[str, object], replaced: str | None) -> list[str]:
    """What the index says beside a file: a mistyped unit code, the file that replaced it."""
    notes = []
    code = entry.get("code_in_file")
    written_name = str(entry.get("unit_name") or "")
    if code and entry.get("code_unknown"):
        notes.append(
            f"Mã đơn vị trong tệp: {code} – không có đơn vị này; tệp gửi từ {written_name}"
            " (theo tên đơn vị ghi trong tệp)."
        )
    elif entry.get("code_unknown") and folder != "unknown":
        named = f"; tên đơn vị ghi trong tệp: {written_name}" if written_name else ""
        notes.append(f"Mã đơn vị trong tệp: {folder} – không có đơn vị này{named}.")
    elif code:
        notes.append(f"Mã đơn vị trong tệp: {code}.")
    if replaced is not None:
        notes.append(f"Đã được thay bằng {replaced} (đã nạp).")
    return notes


def _index_item(
    folder: str,
    entry: dict[str, object],
    lang: str,
    replaced: LoadedFile | None,
    names: Path,
) -> dict[str, object]:
    n_errors = int(str(entry.get("n_errors") or 0))
    by = _file_words(replaced.source_file, names) if replaced is not None else None
    return {
        "page": str(entry["page"]),
        "name": str(entry.get("shown_name") or shown_name(str(entry["source_file"]), names)),
        "status": "replaced" if replaced is not None else str(entry["status"]),
        "period": period_label(entry.get("period_id"), lang),
        "errors": _count(n_errors, lang, "lỗi" if lang == "vi" else "error", "errors"),
        "checked_at": local_time(str(entry["checked_at"])),
        "notes": _index_notes(folder, entry, by),
    }


def _moment(entry: dict[str, object]) -> float:
    return dt.datetime.fromisoformat(str(entry["checked_at"])).timestamp()


def _index_heading(folder: str, items: list[dict[str, object]], words: dict[str, str]) -> str:
    """A unit's heading in the index: its code and registry name."""
    if folder == "unknown":
        return words["unknown"]
    names = sorted({str(e["registry_name"]) for e in items if e.get("registry_name")})
    if not names and all(e.get("code_unknown") for e in items):
        names = ["mã không có trong danh mục đơn vị"]
    elif not names:  # entries written before the registry name was kept
        names = sorted(
            {str(e["unit_name"]) for e in items if e["unit_name"] and not e.get("code_in_file")}
        )
    return f"{folder} – {' / '.join(names)}" if names else folder


def write_index(
    feedback_dir: Path, lang: str = "vi", loaded: list[LoadedFile] | None = None
) -> Path:
    """``index.html``: every report written so far, grouped by the unit each file was filed
    under, the unit with the latest report first and, within a unit, the newest report first.

    Each unit's heading gives its code and registry name; each file its name as the clerk sent
    it, its period, result, number of errors and when it was checked, in Vietnam time
    (``dd/mm/yyyy HH:MM``); a mistyped unit code is named; a report that a later loaded file
    of the same unit and period replaced is shown as replaced.
    """
    lang = "en" if lang == "en" else "vi"
    words = _WORDS[lang]
    uploaded = upload_names_dir(feedback_dir.parent)
    entries: dict[str, list[dict[str, object]]] = {}
    for meta in sorted(feedback_dir.glob("*/*.json")):
        entry = json.loads(meta.read_text(encoding="utf-8"))
        entries.setdefault(meta.parent.name, []).append(entry)
    order = sorted(
        entries,
        key=lambda f: (f == "unknown", -max(_moment(e) for e in entries[f]), f),
    )
    groups = []
    for folder in order:
        # newest first by the moment itself, whatever offset each entry was written with
        items = sorted(entries[folder], key=_moment, reverse=True)
        groups.append(
            {
                "folder": folder,
                "heading": _index_heading(folder, items, words),
                "items": [
                    _index_item(folder, e, lang, _replacement(folder, e, loaded or []), uploaded)
                    for e in items
                ],
            }
        )
    index = private_dir(feedback_dir) / "index.html"
    page = _PAGES.get_template("feedback_index.html")
    write_private(
        index, page.render(title=words["index"], words=words, groups=groups), durable=False
    )
    return index
