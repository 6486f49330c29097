"""Check a parsed submission against the contract and the registry.

Each rule is a named check with a stable code (see :mod:`ingest.problems`). File-level errors
reject the file; row-level errors quarantine the row; the good rows of the file still load.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from core.periods import period_end_date, period_year
from ingest.contract import (
    ASSIGNMENTS,
    EDUCATION_LEVELS,
    FIELDS_BY_ID,
    FIELDS_OF_STUDY,
    GENDERS,
    UNIT_TYPES,
    choice_for,
    unit_level_for_type,
)
from ingest.problems import Problem
from ingest.registry import ReportingUnit
from ingest.submissions.reader import ParsedFile, StaffRow
from ingest.text import clean_text, match_key
from ingest.values import parse_date, parse_int, parse_period, parse_yes_no

MIN_BIRTH_YEAR = 1940
MIN_AGE = 16


@dataclass
class CheckedRow:
    row_number: int
    record: dict[str, object]
    raw: dict[str, str]
    extras: dict[str, str]
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)


@dataclass
class CheckedSubmission:
    parsed: ParsedFile
    unit: dict[str, object] = field(default_factory=dict)
    rows: list[CheckedRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def file_ok(self) -> bool:
        return not any(p.is_error and p.scope == "file" for p in self.all_file_problems)

    @property
    def all_file_problems(self) -> list[Problem]:
        return self.parsed.problems + self.problems

    @property
    def all_problems(self) -> list[Problem]:
        return self.all_file_problems + [p for r in self.rows for p in r.problems]

    @property
    def accepted_whole(self) -> bool:
        return self.file_ok and all(r.ok for r in self.rows)


def _label(field_id: str) -> str:
    return FIELDS_BY_ID[field_id].label_vi


def _raw(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean_text(value)


def _choice_hint(choices: tuple[str, ...]) -> dict[str, str]:
    text = " · ".join(choices)
    return {"hint_vi": f"Chọn một trong: {text}.", "hint_en": f"Choose one of: {text}."}


_INT_HINT = {"hint_vi": "Ghi một số nguyên không âm.", "hint_en": "Write a whole number ≥ 0."}
_DATE_HINT = {
    "hint_vi": "Ghi ngày theo dạng dd/mm/yyyy, ví dụ 15/01/2024.",
    "hint_en": "Write the date as dd/mm/yyyy, e.g. 15/01/2024.",
}


def _registry_code(
    code: str, unit_type: str | None, registry: Mapping[str, list[ReportingUnit]]
) -> str:
    """The code as the registry spells it: Excel turns "00001" (a commune of Hà Nội) into 1,
    so an all-digit code the registry does not know is tried with its leading zeros restored
    (5 digits for a commune, 3 for a district)."""
    if code in registry or not code.isdigit():
        return code
    widths = (5, 3) if unit_type == "UBND cấp xã" else (3, 5)
    for width in widths:
        if code.zfill(width) in registry:
            return code.zfill(width)
    return code


def check_unit(
    parsed: ParsedFile,
    registry: Mapping[str, list[ReportingUnit]],
) -> tuple[dict[str, object], list[Problem]]:
    """Normalised ``DonVi`` fields and the file-level problems found in them."""
    sheet = parsed.unit_sheet
    problems: list[Problem] = []
    unit: dict[str, object] = {}

    def where(field_id: str) -> dict[str, object]:
        return {
            "sheet": sheet,
            "row": parsed.unit_rows.get(field_id),
            "column": parsed.unit_columns.get(field_id, "B"),
        }

    for field_id in ("unit_code", "unit_name", "unit_type", "period", "has_dx_focal_point"):
        if _raw(parsed.unit.get(field_id)) == "":
            problems.append(
                Problem(
                    "REQUIRED_FIELD_MISSING",
                    **where(field_id),  # type: ignore[arg-type]
                    params={"label": _label(field_id)},
                )
            )

    stated_type = choice_for(_raw(parsed.unit.get("unit_type")), UNIT_TYPES)
    code = _registry_code(_raw(parsed.unit.get("unit_code")), stated_type, registry)
    unit["unit_code"] = code
    unit["unit_name"] = _raw(parsed.unit.get("unit_name"))

    period_raw = _raw(parsed.unit.get("period"))
    period = parse_period(parsed.unit.get("period"))
    if period_raw and period is None:
        problems.append(Problem("PERIOD_INVALID", **where("period"), value=period_raw))  # type: ignore[arg-type]
    unit["period_id"] = period

    type_raw = _raw(parsed.unit.get("unit_type"))
    unit_type = choice_for(type_raw, UNIT_TYPES)
    if type_raw and unit_type is None:
        problems.append(Problem("UNIT_TYPE_INVALID", **where("unit_type"), value=type_raw))  # type: ignore[arg-type]
    unit["unit_type"] = unit_type

    registered: ReportingUnit | None = None
    if code and period:
        on = period_end_date(period)
        registered = next((u for u in registry.get(code, []) if u.is_active(on)), None)
        if registered is None:
            problems.append(
                Problem(
                    "UNIT_UNKNOWN",
                    **where("unit_code"),  # type: ignore[arg-type]
                    value=code,
                    params={"period": period},
                )
            )
    if registered is not None:
        unit["unit_level"] = registered.unit_level
        if unit_type and unit_type != registered.unit_type:
            problems.append(
                Problem(
                    "UNIT_TYPE_MISMATCH",
                    **where("unit_type"),  # type: ignore[arg-type]
                    value=type_raw,
                    params={"expected": registered.unit_type, "unit_code": code},
                )
            )
        name = str(unit["unit_name"])
        if name and match_key(name) not in {
            match_key(registered.unit_name),
            match_key(registered.unit_name.removeprefix("UBND ")),
        }:
            problems.append(
                Problem(
                    "UNIT_NAME_MISMATCH",
                    **where("unit_name"),  # type: ignore[arg-type]
                    value=name,
                    params={"expected": registered.unit_name},
                )
            )
    elif unit_type:
        unit["unit_level"] = unit_level_for_type(unit_type)

    focal = parse_yes_no(parsed.unit.get("has_dx_focal_point"))
    focal_raw = _raw(parsed.unit.get("has_dx_focal_point"))
    if focal_raw and focal is None:
        problems.append(
            Problem(
                "UNIT_FIELD_INVALID",
                **where("has_dx_focal_point"),  # type: ignore[arg-type]
                value=focal_raw,
                params={"label": _label("has_dx_focal_point"), **_choice_hint(("Có", "Không"))},
            )
        )
    unit["has_dx_focal_point"] = focal

    unit["focal_point_decision_ref"] = _raw(parsed.unit.get("focal_point_decision_ref")) or None
    unit["prepared_by"] = _raw(parsed.unit.get("prepared_by")) or None
    for field_id in ("community_teams", "community_team_members", "community_team_members_trained"):
        raw = _raw(parsed.unit.get(field_id))
        number = parse_int(parsed.unit.get(field_id)) if raw else None
        if raw and (number is None or number < 0):
            problems.append(
                Problem(
                    "UNIT_FIELD_INVALID",
                    **where(field_id),  # type: ignore[arg-type]
                    value=raw,
                    params={"label": _label(field_id), **_INT_HINT},
                )
            )
            number = None
        unit[field_id] = number
    level = unit.get("unit_level")
    teams = unit.get("community_teams")
    if level is not None and level != "commune" and isinstance(teams, int) and teams > 0:
        problems.append(
            Problem(
                "COMMUNITY_TEAMS_NOT_COMMUNE",
                **where("community_teams"),  # type: ignore[arg-type]
                value=str(teams),
                params={"label": _label("community_teams")},
            )
        )
    members = unit.get("community_team_members")
    trained = unit.get("community_team_members_trained")
    if isinstance(members, int) and isinstance(trained, int) and trained > members:
        problems.append(
            Problem(
                "UNIT_FIELD_INVALID",
                **where("community_team_members_trained"),  # type: ignore[arg-type]
                value=str(trained),
                params={
                    "label": _label("community_team_members_trained"),
                    "hint_vi": f"Số đã tập huấn không được lớn hơn số thành viên ({members}).",
                    "hint_en": f"Trained members cannot exceed members ({members}).",
                },
            )
        )

    submitted_raw = parsed.unit.get("submitted_on")
    submitted = parse_date(submitted_raw) if _raw(submitted_raw) else None
    if _raw(submitted_raw) and submitted is None:
        problems.append(
            Problem(
                "UNIT_FIELD_INVALID",
                **where("submitted_on"),  # type: ignore[arg-type]
                value=_raw(submitted_raw),
                params={"label": _label("submitted_on"), **_DATE_HINT},
            )
        )
    unit["submitted_on"] = submitted
    return unit, problems


def check_row(row: StaffRow, sheet: str, period: str | None) -> CheckedRow:
    """Normalise one person row; every problem in it names its row and column."""
    raw = {k: _raw(v) for k, v in row.values.items()}
    checked = CheckedRow(row.row_number, {}, raw, {k: _raw(v) for k, v in row.extras.items()})
    record = checked.record

    def problem(code: str, field_id: str, **params: str) -> None:
        checked.problems.append(
            Problem(
                code,
                sheet=sheet,
                row=row.row_number,
                column=_label(field_id),
                value=raw.get(field_id) or None,
                params={"label": _label(field_id), **params},
            )
        )

    record["row_no"] = parse_int(row.values.get("row_no"))
    name = raw.get("full_name", "")
    if not name:
        problem("ROW_FIELD_MISSING", "full_name")
    record["full_name"] = name or None

    year = parse_int(row.values.get("birth_year"))
    max_year = (period_year(period) if period else dt.date.today().year) - MIN_AGE
    if not raw.get("birth_year"):
        problem("ROW_FIELD_MISSING", "birth_year")
    elif year is None or not MIN_BIRTH_YEAR <= year <= max_year:
        problem("BIRTH_YEAR_OUT_OF_RANGE", "birth_year", max_year=str(max_year))
    record["birth_year"] = year

    for field_id, choices in (
        ("gender", GENDERS),
        ("assignment", ASSIGNMENTS),
        ("education_level", EDUCATION_LEVELS),
        ("field_of_study", FIELDS_OF_STUDY),
    ):
        value = raw.get(field_id, "")
        choice = choice_for(value, choices) if value else None
        if not value and FIELDS_BY_ID[field_id].required:
            problem("ROW_FIELD_MISSING", field_id)
        elif value and choice is None:
            problem("ROW_FIELD_INVALID", field_id, **_choice_hint(choices))
        record[field_id] = choice

    trainings_raw = raw.get("trainings_in_period", "")
    trainings = parse_int(row.values.get("trainings_in_period")) if trainings_raw else 0
    if trainings is None or trainings < 0:
        problem("ROW_FIELD_INVALID", "trainings_in_period", **_INT_HINT)
    record["trainings_in_period"] = trainings

    for field_id in ("dx_network_member", "incident_response_member", "platform_access"):
        flag = parse_yes_no(row.values.get(field_id))
        if flag is None:
            problem("ROW_FIELD_INVALID", field_id, **_choice_hint(("Có", "Không")))
        record[field_id] = flag

    for field_id in ("position_title", "job_position", "note"):
        record[field_id] = raw.get(field_id) or None
    return checked


def check_submission(
    parsed: ParsedFile, registry: Mapping[str, list[ReportingUnit]]
) -> CheckedSubmission:
    """Check a whole parsed file: unit fields first, then every person row."""
    checked = CheckedSubmission(parsed=parsed)
    if not parsed.readable:
        return checked
    checked.unit, checked.problems = check_unit(parsed, registry)
    period = checked.unit.get("period_id")
    checked.rows = [
        check_row(row, parsed.staff_sheet, period if isinstance(period, str) else None)
        for row in parsed.staff
    ]
    return checked


def index_registry(units: list[ReportingUnit]) -> dict[str, list[ReportingUnit]]:
    index: dict[str, list[ReportingUnit]] = {}
    for unit in units:
        index.setdefault(unit.unit_id, []).append(unit)
    return index
