"""Vietnamese labels for the scorecard (identifiers in the data stay English snake_case)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

UNIT_LEVELS = {
    "province": "Sở, ban, ngành (cấp tỉnh)",
    "district": "UBND cấp huyện",
    "commune": "UBND cấp xã",
}

TARGET_STATUS = {
    "achieved": "Đã đạt",
    "on_track": "Đúng tiến độ",
    "at_risk": "Có nguy cơ không đạt",
    "missed": "Không đạt",
    "not_measurable": "Không đo được từ báo cáo",
    "in_progress": "Kỳ đang diễn ra, chưa đánh giá",
}

# the verdict at a target's deadline, as a sentence opens ("Không đạt tại 31/12/2025: 97,2%")
VERDICT = {
    "achieved": "Đạt",
    "missed": "Không đạt",
    "not_measurable": "Không đo được",
}

REPORT_STATUS = {"late": "Nộp muộn", "missing": "Chưa nộp"}

NO_FOCAL_POINT_REASON = {
    "no_focal_point": "Báo cáo không có đầu mối CĐS",
    "did_not_submit": "Chưa nộp báo cáo (tính là chưa đạt)",
}


# Fallback names of the DTI methodologies, for a warehouse that does not carry the decision
METHODOLOGIES = {
    "dti_2020": "QĐ 1726/QĐ-BTTTT",
    "dti_2021_2023": "QĐ 922/QĐ-BTTTT",
    "dti_2024": "QĐ 405/QĐ-BKHCN",
}

UNKNOWN_DECISION = "Chưa rõ văn bản quy định phương pháp"

BASES = {63: "63 tỉnh, thành (trước sắp xếp)", 34: "34 tỉnh, thành (sau sắp xếp)"}

# The acts behind the reorganisations the registry knows, by their effective date
REORGANISATION_ACTS = {dt.date(2025, 7, 1): "Nghị quyết số 202/2025/QH15 của Quốc hội"}


def number(value: Any, digits: int = 0) -> str:
    """A figure as Vietnamese print has it: ``1.234`` (dot between thousands), ``0,5``."""
    if value is None or pd.isna(value):
        return "—"
    if digits == 0:
        return f"{round(float(value)):,}".replace(",", ".")
    return f"{float(value):.{digits}f}".replace(".", ",")


def share_or_number(value: Any, is_share: Any) -> str:
    """A share in [0, 1] as a percentage (``97,2%``); a headcount as a number."""
    if value is None or pd.isna(value):
        return "—"
    if bool(is_share):
        return f"{float(value) * 100:.1f}%".replace(".", ",")
    return number(value)


def label(mapping: dict[str, str], value: object) -> str:
    """The Vietnamese label of a code, or the code itself when there is none."""
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    return mapping.get(str(value), str(value))


def scope_label(scope: object, province_name: str | None = None) -> str:
    """``province:49`` → the province's name as the period had it (``Tỉnh Quảng Nam``);
    ``successor:48`` → today's province (``Thành phố Đà Nẵng``), its history restated.

    Without a name the scope still reads as words (``Tỉnh, thành phố mã 49``), never as a code.
    """
    kind, _, code = str(scope).partition(":")
    if kind not in ("province", "successor"):
        return str(scope)
    return province_name or f"Tỉnh, thành phố mã {code}"


def _present(value: object) -> bool:
    return value is not None and value == value  # not None, not NaN


def target_status_label(status: object, actual_value: object, is_met: object = None) -> str:
    """The status in Vietnamese; a measured value with nothing to compare it to says so."""
    if status == "not_measurable" and _present(actual_value):
        if _present(is_met) and not is_met:
            return "Chưa đạt; chưa có kỳ gốc để đánh giá tiến độ"
        return "Chưa có kỳ gốc để so sánh"
    return label(TARGET_STATUS, status)


def verdict_label(verdict_status: object, deadline: dt.date, verdict_value: str) -> str:
    """``Không đạt tại 31/12/2025: 97,2%``: the target's verdict at its deadline."""
    text = f"{label(VERDICT, verdict_status)} tại {deadline.strftime('%d/%m/%Y')}"
    return text if verdict_value == "—" else f"{text}: {verdict_value}"


def after_deadline_label(is_met: bool, value: str, period_id: str) -> str:
    """``Sau thời hạn: đạt 100,0% kỳ 2026-H1``: what a later period shows, beside the verdict.

    It never turns the verdict into "achieved": the verdict is the value at the deadline.
    """
    return f"Sau thời hạn: {'đạt' if is_met else 'chưa đạt'} {value} kỳ {period_id}"


def methodology_label(
    code: object, decision_ref: str | None, first_year: int, last_year: int
) -> str:
    """``dti_2021_2023`` → ``QĐ 922/QĐ-BTTTT (2021–2023)``: the decision and the years it covers.

    The years are those the data holds, never "from <year>": a later year may follow another
    decision (one was announced for DTI 2025 without a known number). A methodology whose
    decision is not known says so rather than naming a guess.
    """
    name = decision_ref or METHODOLOGIES.get(str(code)) or UNKNOWN_DECISION
    years = str(first_year) if first_year == last_year else f"{first_year}–{last_year}"
    return f"{name} ({years})"


def merger_sentence(
    effective_date: dt.date, province_name: str, merged_names: tuple[str, ...]
) -> str:
    """``Từ 01/07/2025, Tỉnh Quảng Nam và Thành phố Đà Nẵng hợp nhất thành Thành phố Đà Nẵng``."""
    names = list(merged_names)
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " và " + names[-1]
    act = REORGANISATION_ACTS.get(effective_date)
    source = f" ({act})" if act else ""
    return (
        f"Từ {effective_date.strftime('%d/%m/%Y')}, {joined} hợp nhất thành "
        f"{province_name} mới{source}."
    )
