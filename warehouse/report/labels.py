"""Vietnamese labels for the scorecard (identifiers in the data stay English snake_case)."""

from __future__ import annotations

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
}

REPORT_STATUS = {"late": "Nộp muộn", "missing": "Chưa nộp"}

NO_FOCAL_POINT_REASON = {
    "no_focal_point": "Báo cáo không có đầu mối CĐS",
    "did_not_submit": "Chưa nộp báo cáo (tính là chưa đạt)",
}


def label(mapping: dict[str, str], value: object) -> str:
    """The Vietnamese label of a code, or the code itself when there is none."""
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    return mapping.get(str(value), str(value))


def scope_label(scope: object) -> str:
    """``province:49`` → ``Toàn tỉnh (49)``."""
    kind, _, code = str(scope).partition(":")
    return f"Toàn tỉnh ({code})" if kind == "province" else str(scope)
