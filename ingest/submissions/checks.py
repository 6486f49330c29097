"""Check a parsed submission against the contract and the registry.

Each rule is a named check with a stable code (see :mod:`ingest.problems`). File-level errors
reject the file. A person is never dropped for a field: a row that names a person loads, and a
field-level error makes only that field unknown (``None``) for the person, its value as written
kept beside the row; only a row that names no one is quarantined (docs/intake.md).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from core.periods import period_end_date, period_year
from core.reporting_calendar import as_of_today, load_calendar
from core.vocabulary import (
    ASSIGNMENTS,
    EDUCATION_LEVELS,
    FIELDS_OF_STUDY,
    GENDERS,
    birth_year_range,
)
from ingest.contract import (
    FIELDS_BY_ID,
    FIGURES_NEEDING,
    MIN_FORM_DATE,
    STAFF_FIELD_IDS,
    TARGET_NAMES,
    TARGETS_NEEDING,
    UNIT_LABELS,
    unit_level_for_type,
)
from ingest.problems import Problem
from ingest.registry import ReportingUnit
from ingest.submissions.reader import ParsedFile, StaffRow
from ingest.text import clean_text, has_letters, invisible_only, match_key
from ingest.values import parse_date, parse_int, parse_period
from ingest.wordings import CLOSEST_SCORE, Reading, read_choice, read_yes_no

# What a unit code can look like (502, 20341, 00001, 49-STTTT): anything else is not used to
# name the unit's feedback folder.
_UNIT_CODE = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,19}")
# Raw values kept for quarantine are cut here: the archived file keeps every byte.
_RAW_KEEP_CHARS = 2000
# Unit names in the file and the registry match for a suggestion at this similarity.
_NAME_SCORE = 90.0
# A name is shown beside its row number in feedback up to this length.
_SHOWN_NAME_CHARS = 80
# How a value left unknown is kept among the row's extras: under its label and this mark.
UNREAD_SUFFIX = "(giá trị chưa đọc được)"


@dataclass
class CheckedRow:
    """One person row: the values as read (``raw``), as loaded (``record``), its extra
    columns, and the values a field-level error left unknown, as written (``unread``)."""

    row_number: int
    record: dict[str, object]
    raw: dict[str, str]
    extras: dict[str, str]
    problems: list[Problem] = field(default_factory=list)
    unread: dict[str, str] = field(default_factory=dict)
    # values read in other words than the template's: (field id, how it was read)
    understood: list[tuple[str, Reading]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the row has nothing to fix."""
        return not any(p.is_error for p in self.problems)

    @property
    def loads(self) -> bool:
        """Whether the row counts as a person: it names someone and could be read. A field
        error leaves that field unknown but the person in."""
        return not any(p.is_error and p.scope == "row" for p in self.problems)

    @property
    def person(self) -> str:
        """Whose row it is, as the clerk wrote the name ("" when it names no one)."""
        name = self.raw.get("full_name", "")
        return name if has_letters(name) and len(name) <= _SHOWN_NAME_CHARS else ""

    def unread_values(self) -> dict[str, str]:
        """The values left unknown, as written, under their column label (kept in raw)."""
        return {f"{_label(f)} {UNREAD_SUFFIX}": v for f, v in self.unread.items()}


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
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return clean_text(value)


def _kept(text: str) -> str:
    """A raw value as kept in quarantine: whole, or cut with a note of its length."""
    if len(text) <= _RAW_KEEP_CHARS:
        return text
    return f"{text[:_RAW_KEEP_CHARS]}… [{len(text)} ký tự / characters]"


def _choice_hint(choices: tuple[str, ...], reading: Reading | None = None) -> dict[str, str]:
    """What to write instead: the allowed values, and which one a value came close to (a
    value close to two is named as such, not guessed)."""
    text = " · ".join(choices)
    hint = {"hint_vi": f"Chọn một trong: {text}.", "hint_en": f"Choose one of: {text}."}
    if reading is None or not reading.candidates:
        return hint
    options = " hoặc ".join(f"'{c}'" for c in reading.candidates)
    options_en = " or ".join(f"'{c}'" for c in reading.candidates)
    if reading.how == "ambiguous":
        return {
            "hint_vi": f"'{reading.typed}' có thể là {options}: ghi đúng một giá trị. "
            + hint["hint_vi"],
            "hint_en": f"'{reading.typed}' could be {options_en}: write exactly one value. "
            + hint["hint_en"],
        }
    closest = reading.candidates[0]
    return {
        "hint_vi": f"Nếu ý là {closest}: {reading.typed} → ghi {closest}. " + hint["hint_vi"],
        "hint_en": f"If {closest} is meant: {reading.typed} → write {closest}. " + hint["hint_en"],
    }


_HOW = {
    "wording": ("cách ghi quen dùng", "a common wording"),
    "similar": ("gần giống", "close to it"),
}


def value_understood(
    field_id: str,
    reading: Reading,
    *,
    sheet: str | None,
    row: int | None,
    column: str | None,
    rows_vi: str = "",
    rows_en: str = "",
) -> Problem:
    """VALUE_UNDERSTOOD: a value read as an allowed one although not written so."""
    how_vi, how_en = _HOW[reading.how]
    return Problem(
        "VALUE_UNDERSTOOD",
        sheet=sheet,
        row=row,
        column=column,
        value=reading.typed,
        params={
            "label": _label(field_id),
            "choice": str(reading.choice),
            "how_vi": how_vi,
            "how_en": how_en,
            "rows_vi": rows_vi,
            "rows_en": rows_en,
        },
    )


def _int_hint(field_id: str) -> dict[str, str]:
    """How to write a count: a whole number from 0 to the field's bound."""
    top = FIELDS_BY_ID[field_id].max_value
    if top is None:
        return {"hint_vi": "Ghi một số nguyên không âm.", "hint_en": "Write a whole number ≥ 0."}
    return {
        "hint_vi": f"Ghi một số nguyên từ 0 đến {top}.",
        "hint_en": f"Write a whole number from 0 to {top}.",
    }


def _bounded_int(field_id: str, value: object) -> tuple[int | None, str | None]:
    """(the count, what is wrong with it): a whole number within the field's bounds.

    ``1e10``, ``inf`` and ``nan`` are not whole numbers (``INVALID``); ``99999999999`` is over
    the bound (``OUT_OF_RANGE``). Either is refused here rather than overflowing the typed
    column on load, so ``dxwh check`` and ingest agree.
    """
    number = parse_int(value)
    top = FIELDS_BY_ID[field_id].max_value
    if number is None or number < 0:
        return None, "INVALID"
    if top is not None and number > top:
        return None, "OUT_OF_RANGE"
    return number, None


def _range_params(field_id: str) -> dict[str, str]:
    """The label and bound of a count, for a *VALUE_OUT_OF_RANGE problem."""
    top = FIELDS_BY_ID[field_id].max_value
    return {
        "label": _label(field_id),
        "range_vi": f", không quá {top}",
        "range_en": f", at most {top}",
    }


def _date_hint(today: dt.date) -> dict[str, str]:
    first, last = MIN_FORM_DATE.strftime("%d/%m/%Y"), today.strftime("%d/%m/%Y")
    return {
        "hint_vi": f"Ghi ngày theo dạng dd/mm/yyyy, từ {first} đến hôm nay ({last}),"
        " ví dụ 15/01/2024.",
        "hint_en": f"Write the date as dd/mm/yyyy, from {first} to today ({last}),"
        " e.g. 15/01/2024.",
    }


def _too_long(field_id: str, text: str) -> dict[str, str] | None:
    """Params of a *_TEXT_TOO_LONG problem when ``text`` is over the field's limit."""
    limit = FIELDS_BY_ID[field_id].max_chars
    if len(text) <= limit:
        return None
    return {"label": _label(field_id), "length": str(len(text)), "max_chars": str(limit)}


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


def _name_key(name: str) -> str:
    return match_key(name.removeprefix("UBND ").removeprefix("Ubnd "))


@dataclass
class _NameIndex:
    """The registry's units active on a date, their names' keys and their names for a close
    match: made once per registry and date, not for every file naming an unknown unit (a
    national registry is 12,000 units: 80 ms a file)."""

    registry: Mapping[str, list[ReportingUnit]]
    units: list[ReportingUnit]
    keys: list[str]
    names: dict[str, str] | None = None  # made on the first close match asked for


_name_indexes: dict[tuple[int, dt.date | None], _NameIndex] = {}


def _name_index(registry: Mapping[str, list[ReportingUnit]], on: dt.date | None) -> _NameIndex:
    found = _name_indexes.get((id(registry), on))
    if found is not None and found.registry is registry:
        return found
    if len(_name_indexes) >= 16:  # a worker sees one registry and a few periods
        _name_indexes.clear()
    units = [u for versions in registry.values() for u in versions if on is None or u.is_active(on)]
    index = _NameIndex(registry, units, [_name_key(u.unit_name) for u in units])
    _name_indexes[(id(registry), on)] = index
    return index


def unit_named(
    name: str, registry: Mapping[str, list[ReportingUnit]], on: dt.date | None
) -> ReportingUnit | None:
    """The one registry unit (active ``on``, if given) whose name is the name written in a file:
    the same name in any spelling, with or without "UBND", or a close one that no other unit
    shares. ``None`` when no unit, or more than one, fits."""
    if not name:
        return None
    index = _name_index(registry, on)
    units = index.units
    key = _name_key(name)
    same = {u.unit_id: u for u, k in zip(units, index.keys, strict=True) if k == key}
    if len(same) == 1:
        return next(iter(same.values()))
    if same or not key:
        return None
    if index.names is None:
        index.names = {
            u.unit_id: clean_text(u.unit_name.removeprefix("UBND ")).lower() for u in units
        }
    names = index.names
    typed = clean_text(name.removeprefix("UBND ")).lower()
    found = process.extract(typed, names, scorer=fuzz.token_sort_ratio, limit=2)
    close = [(uid, score) for _, score, uid in found if score >= _NAME_SCORE]
    if len(close) == 1 or (len(close) == 2 and close[0][1] - close[1][1] >= 5):
        return next(u for u in units if u.unit_id == close[0][0])
    return None


class _UnitCheck:
    """The checks of the ``DonVi`` fields, one step each, sharing what they found."""

    def __init__(
        self,
        parsed: ParsedFile,
        registry: Mapping[str, list[ReportingUnit]],
        today: dt.date,
    ) -> None:
        self.parsed = parsed
        self.registry = registry
        self.today = today
        self.unit: dict[str, object] = {}
        self.problems: list[Problem] = []
        self.registered: ReportingUnit | None = None
        self.stated_code = ""
        # the flat CSV form carries the DonVi fields as columns of the staff sheet
        self.is_column = parsed.unit_sheet == parsed.staff_sheet

    def raw(self, field_id: str) -> str:
        return _raw(self.parsed.unit.get(field_id))

    def where(self, field_id: str) -> dict[str, object]:
        return {
            "sheet": self.parsed.unit_sheet,
            "row": self.parsed.unit_rows.get(field_id),
            "column": self.parsed.unit_columns.get(field_id, "B"),
        }

    def add(self, code: str, field_id: str, value: str | None = None, **params: str) -> None:
        self.problems.append(Problem(code, **self.where(field_id), value=value, params=params))  # type: ignore[arg-type]

    def text(self, field_id: str) -> str:
        """A text field, or ``""`` when it is over its length limit (reported)."""
        text = self.raw(field_id)
        too_long = _too_long(field_id, text)
        if too_long is not None:
            self.add("UNIT_TEXT_TOO_LONG", field_id, text, **too_long)
            return ""
        return text

    def required_fields(self) -> None:
        """Every required item is there and filled in; a label that was not recognised is
        named, with the row whose label came closest to it."""
        for field_id in ("unit_code", "unit_name", "unit_type", "period", "has_dx_focal_point"):
            if field_id not in self.parsed.unit_found:
                self.problems.append(self._label_not_found(field_id))
            elif self.raw(field_id) == "":
                self.add("REQUIRED_FIELD_MISSING", field_id, label=_label(field_id))

    def _label_not_found(self, field_id: str) -> Problem:
        label = _label(field_id)
        sheet = self.parsed.unit_sheet
        near = [
            (UNIT_LABELS.scores(m.typed).get(field_id, 0.0), row, m.typed)
            for row, m in self.parsed.unit_unmatched
        ]
        score, row, typed = max(near, default=(0.0, 0, ""))
        if self.is_column:
            params = {
                "near_vi": "",
                "near_en": "",
                "fix_vi": f"Thêm cột '{label}' như trong mẫu và ghi giá trị ở mọi dòng.",
                "fix_en": f"Add the column '{label}' as in the template, filled in on every row.",
            }
            return Problem(
                "REQUIRED_LABEL_NOT_FOUND", sheet=sheet, params={"label": label, **params}
            )
        if score >= CLOSEST_SCORE:
            params = {
                "near_vi": f" Dòng {row} ghi '{typed}': gần giống nhưng chưa đủ để tự hiểu.",
                "near_en": f" Row {row} says '{typed}': close, but not enough to be sure.",
                "fix_vi": f"Nếu dòng {row} là mục này, sửa chữ ở cột A thành '{label}';"
                f" nếu không, thêm một dòng '{label}' và ghi giá trị ở cột B.",
                "fix_en": f"If row {row} is this item, change its label in column A to '{label}';"
                f" otherwise add a row '{label}' with the value in column B.",
            }
            return Problem(
                "REQUIRED_LABEL_NOT_FOUND", sheet=sheet, row=row, column="A",
                value=typed, params={"label": label, **params},
            )  # fmt: skip
        params = {
            "near_vi": "",
            "near_en": "",
            "fix_vi": f"Thêm một dòng: cột A ghi '{label}', cột B ghi giá trị.",
            "fix_en": f"Add a row with '{label}' in column A and its value in column B.",
        }
        return Problem("REQUIRED_LABEL_NOT_FOUND", sheet=sheet, params={"label": label, **params})

    def identity(self) -> None:
        """Unit code, name, type and period as the file states them."""
        type_reading = read_choice("unit_type", self.raw("unit_type"))
        stated_type = type_reading.choice
        if type_reading.understood:
            self.problems.append(
                value_understood("unit_type", type_reading, **self.where("unit_type"))  # type: ignore[arg-type]
            )
        # any code is looked up (a wrong one is UNIT_UNKNOWN, whatever its length); only one
        # shaped like a code names the unit in the loaded data and its feedback folder
        raw_code = self.raw("unit_code")
        self.stated_code = _registry_code(raw_code, stated_type, self.registry) if raw_code else ""
        plausible = _UNIT_CODE.fullmatch(self.stated_code)
        self.unit["unit_code"] = self.stated_code if plausible else None
        self.unit["unit_name"] = self.text("unit_name")
        period_raw = self.raw("period")
        period = parse_period(self.parsed.unit.get("period"))
        if period_raw and period is None:
            self.add("PERIOD_INVALID", "period", period_raw)
        self.unit["period_id"] = period
        if period is not None:
            # the calendar decides which periods exist: a refused file never creates one
            refusal = load_calendar().refusal(period, self.today)
            if refusal is not None:
                self.add(refusal.code, "period", period_raw, **refusal.params)
        type_raw = self.raw("unit_type")
        if type_raw and stated_type is None:
            self.add("UNIT_TYPE_INVALID", "unit_type", type_raw)
        self.unit["unit_type"] = stated_type

    def registry_entry(self) -> None:
        """The unit is in the registry for the period, of the type and name the file states."""
        code, period = self.stated_code, self.unit["period_id"]
        unit_type, name = self.unit["unit_type"], str(self.unit["unit_name"])
        if code and isinstance(period, str):
            on = period_end_date(period)
            self.registered = next(
                (u for u in self.registry.get(code, []) if u.is_active(on)), None
            )
            if self.registered is None:
                self.add("UNIT_UNKNOWN", "unit_code", code, period=period, **self._suggest(on))
        registered = self.registered
        if registered is None:
            if isinstance(unit_type, str):
                self.unit["unit_level"] = unit_level_for_type(unit_type)
            return
        self.unit["unit_level"] = registered.unit_level
        self.unit["registry_name"] = registered.unit_name
        if unit_type and unit_type != registered.unit_type:
            self.add(
                "UNIT_TYPE_MISMATCH", "unit_type", self.raw("unit_type"),
                expected=registered.unit_type, unit_code=registered.unit_id,
            )  # fmt: skip
        if name and _name_key(name) != _name_key(registered.unit_name):
            self.add("UNIT_NAME_MISMATCH", "unit_name", name, expected=registered.unit_name)

    def _suggest(self, on: dt.date) -> dict[str, str]:
        """UNIT_UNKNOWN's hint: the registry unit whose name is the one written in the file."""
        match = unit_named(str(self.unit["unit_name"]), self.registry, on)
        if match is None:
            return {}
        # the unit the file is from, by its name: its feedback is filed there
        self.unit["named_unit_id"] = match.unit_id
        self.unit["registry_name"] = match.unit_name
        return {
            "suggest_vi": f"Theo danh mục, '{match.unit_name}' có mã {match.unit_id}: nếu đúng"
            f" là đơn vị này, hãy ghi Mã đơn vị {match.unit_id}. ",
            "suggest_en": f"In the registry, '{match.unit_name}' has code {match.unit_id}:"
            f" if that is this unit, write {match.unit_id} as the unit code. ",
        }

    def focal_point(self) -> None:
        focal, reading = read_yes_no(self.parsed.unit.get("has_dx_focal_point"))
        focal_raw = self.raw("has_dx_focal_point")
        if reading.understood:
            self.problems.append(
                value_understood("has_dx_focal_point", reading, **self.where("has_dx_focal_point"))  # type: ignore[arg-type]
            )
        if focal_raw and focal is None:
            self.add(
                "UNIT_FIELD_INVALID", "has_dx_focal_point", focal_raw,
                label=_label("has_dx_focal_point"), **_choice_hint(("Có", "Không")),
            )  # fmt: skip
        # required, so a missing or blank item is reported; until then it is unknown
        self.unit["has_dx_focal_point"] = focal if focal_raw else None

    def free_text(self) -> None:
        for field_id in ("focal_point_decision_ref", "prepared_by"):
            self.unit[field_id] = self.text(field_id) or None

    def community_teams(self) -> None:
        """Counts of community digital teams: whole numbers within bounds, communes only,
        trained members no more than members."""
        for field_id in (
            "community_teams",
            "community_team_members",
            "community_team_members_trained",
        ):
            raw = self.raw(field_id)
            number, wrong = _bounded_int(field_id, self.parsed.unit.get(field_id))
            if raw and wrong == "INVALID":
                self.add(
                    "UNIT_FIELD_INVALID",
                    field_id,
                    raw,
                    label=_label(field_id),
                    **_int_hint(field_id),
                )
            elif raw and wrong == "OUT_OF_RANGE":
                self.add("UNIT_VALUE_OUT_OF_RANGE", field_id, raw, **_range_params(field_id))
            self.unit[field_id] = number if raw else None
        level = self.unit.get("unit_level")
        teams = self.unit.get("community_teams")
        if level is not None and level != "commune" and isinstance(teams, int) and teams > 0:
            self.add(
                "COMMUNITY_TEAMS_NOT_COMMUNE",
                "community_teams",
                str(teams),
                label=_label("community_teams"),
            )
        members = self.unit.get("community_team_members")
        trained = self.unit.get("community_team_members_trained")
        if isinstance(members, int) and isinstance(trained, int) and trained > members:
            self.add(
                "UNIT_FIELD_INVALID", "community_team_members_trained", str(trained),
                label=_label("community_team_members_trained"),
                hint_vi=f"Số đã tập huấn không được lớn hơn số thành viên ({members}).",
                hint_en=f"Trained members cannot exceed members ({members}).",
            )  # fmt: skip

    def submitted_on(self) -> None:
        """The form date: a real date from 2000 to today (it orders corrected files)."""
        raw = self.raw("submitted_on")
        submitted = parse_date(self.parsed.unit.get("submitted_on")) if raw else None
        if raw and (submitted is None or not MIN_FORM_DATE <= submitted <= self.today):
            self.add(
                "UNIT_FIELD_INVALID",
                "submitted_on",
                raw,
                label=_label("submitted_on"),
                **_date_hint(self.today),
            )
            submitted = None
        self.unit["submitted_on"] = submitted

    def optional_items(self) -> None:
        """Optional items whose label is missing: unknown for the unit, and what that leaves
        unmeasured (community teams only matter for communes)."""
        commune = self.unit.get("unit_level") == "commune"
        for field_id in (
            "community_teams",
            "community_team_members",
            "community_team_members_trained",
            "submitted_on",
        ):
            if field_id in self.parsed.unit_found:
                continue
            if field_id.startswith("community") and not commune:
                continue
            self.problems.append(
                _optional_missing(field_id, self.parsed.unit_sheet, is_column=self.is_column)
            )

    def run(self) -> tuple[dict[str, object], list[Problem]]:
        for step in (
            self.required_fields,
            self.identity,
            self.registry_entry,
            self.focal_point,
            self.free_text,
            self.community_teams,
            self.submitted_on,
            self.optional_items,
        ):
            step()
        return self.unit, self.problems


def check_unit(
    parsed: ParsedFile,
    registry: Mapping[str, list[ReportingUnit]],
    today: dt.date | None = None,
) -> tuple[dict[str, object], list[Problem]]:
    """Normalised ``DonVi`` fields and the file-level problems found in them.

    An optional item whose label is missing is ``None`` (unknown), never 0 or "Không".
    """
    return _UnitCheck(parsed, registry, today or as_of_today()).run()


def _optional_missing(field_id: str, sheet: str, *, is_column: bool) -> Problem:
    """OPTIONAL_COLUMN_MISSING: what a missing optional column leaves unknown for the unit."""
    targets = TARGETS_NEEDING.get(field_id, ())
    unknown_vi = unknown_en = ""
    if targets:
        names_vi = "; ".join(f"'{TARGET_NAMES[t][0]}'" for t in targets)
        names_en = "; ".join(f"'{TARGET_NAMES[t][1]}'" for t in targets)
        unknown_vi = f" Vì vậy chưa đo được cho đơn vị chỉ tiêu: {names_vi}."
        unknown_en = f" The unit cannot be measured for the target(s): {names_en}."
    elif field_id in FIGURES_NEEDING:
        figure_vi, figure_en = FIGURES_NEEDING[field_id]
        unknown_vi = f" Vì vậy chưa biết {figure_vi} của đơn vị."
        unknown_en = f" So the unit's figure '{figure_en}' is unknown."
    what = (
        {"what_lower_vi": "cột", "what_lower_en": "column"}
        if is_column
        else {"what_lower_vi": "mục", "what_lower_en": "item"}
    )
    return Problem(
        "OPTIONAL_COLUMN_MISSING",
        sheet=sheet,
        params={
            "label": _label(field_id),
            "unknown_vi": unknown_vi,
            "unknown_en": unknown_en,
            **what,
        },
    )


def missing_staff_columns(parsed: ParsedFile) -> list[Problem]:
    """OPTIONAL_COLUMN_MISSING for each NhanLuc column a target or a staffing figure needs."""
    if parsed.staff_header_row is None:
        return []
    return [
        _optional_missing(field_id, parsed.staff_sheet, is_column=True)
        for field_id in STAFF_FIELD_IDS
        if field_id not in parsed.staff_found
        and (field_id in TARGETS_NEEDING or field_id in FIGURES_NEEDING)
    ]


class _RowCheck:
    """The checks of one NhanLuc row, one step each."""

    def __init__(self, row: StaffRow, sheet: str, period: str | None, today: dt.date) -> None:
        self.row = row
        self.sheet = sheet
        self.period = period
        self.today = today
        raw = {k: _raw(v) for k, v in row.values.items()}
        self.raw = raw
        self.checked = CheckedRow(
            row.row_number,
            {},
            {k: _kept(v) for k, v in raw.items()},
            {k: _kept(_raw(v)) for k, v in row.extras.items()},
        )
        self.record = self.checked.record

    def problem(self, code: str, field_id: str, **params: str) -> None:
        self.checked.problems.append(
            Problem(
                code,
                sheet=self.sheet,
                row=self.row.row_number,
                column=_label(field_id),
                value=self.raw.get(field_id) or None,
                params={"label": _label(field_id), **params},
                person=self.checked.person or None,
            )
        )
        if self.checked.problems[-1].scope == "field" and self.raw.get(field_id):
            # the value is unknown from here on; as written, it stays beside the row
            self.checked.unread[field_id] = _kept(self.raw[field_id])

    def present(self, field_id: str) -> bool:
        """Whether the file has the column (a missing column is unknown, not blank)."""
        return field_id in self.row.values

    def text(self, field_id: str) -> str:
        """A text cell, or ``""`` when it is over its length limit (reported)."""
        text = self.raw.get(field_id, "")
        too_long = _too_long(field_id, text)
        if too_long is not None:
            self.problem("ROW_TEXT_TOO_LONG", field_id, **too_long)
            return ""
        return text

    def row_no(self) -> None:
        # STT is optional and often not a number ("1a", "I"): only a number beyond any list
        # is an error, so it cannot overflow the column
        number = parse_int(self.row.values.get("row_no"))
        top = FIELDS_BY_ID["row_no"].max_value
        if number is not None and number < 0:
            self.problem("ROW_FIELD_INVALID", "row_no", **_int_hint("row_no"))
            number = None
        elif number is not None and top is not None and number > top:
            self.problem("VALUE_OUT_OF_RANGE", "row_no", **_range_params("row_no"))
            number = None
        self.record["row_no"] = number

    def full_name(self) -> None:
        """A row counts as a person only when it names one: a name with letters, of a
        person's length. A blank, a placeholder ("-", "."), punctuation or invisible
        characters name no one: the row is quarantined."""
        name = self.raw.get("full_name", "")
        typed = self.row.values.get("full_name")
        limit = FIELDS_BY_ID["full_name"].max_chars
        if not name and not invisible_only(typed):
            self.problem("ROW_NAME_MISSING", "full_name")
        elif not has_letters(name):
            shown = name or " ".join(f"U+{ord(ch):04X}" for ch in str(typed))
            invisible = invisible_only(typed) or (name and invisible_only(name))
            self.checked.problems.append(
                Problem(
                    "ROW_NAME_INVALID",
                    sheet=self.sheet,
                    row=self.row.row_number,
                    column=_label("full_name"),
                    value=shown,
                    params={
                        "detail_vi": ", chỉ có ký tự không nhìn thấy" if invisible else "",
                        "detail_en": ", only invisible characters" if invisible else "",
                    },
                )
            )
        elif len(name) > limit:
            self.problem("ROW_NAME_TOO_LONG", "full_name", length=str(len(name)),
                         max_chars=str(limit))  # fmt: skip
        self.record["full_name"] = name if self.checked.loads else None

    def birth_year(self) -> None:
        year = parse_int(self.row.values.get("birth_year"))
        lowest, highest = birth_year_range(
            period_year(self.period) if self.period else self.today.year
        )
        if not self.raw.get("birth_year"):
            self.problem("ROW_FIELD_MISSING", "birth_year")
        elif year is None or not lowest <= year <= highest:
            self.problem(
                "BIRTH_YEAR_OUT_OF_RANGE", "birth_year", min_year=str(lowest), max_year=str(highest)
            )
            year = None
        self.record["birth_year"] = year

    def choices(self) -> None:
        for field_id, choices in (
            ("gender", GENDERS),
            ("assignment", ASSIGNMENTS),
            ("education_level", EDUCATION_LEVELS),
            ("field_of_study", FIELDS_OF_STUDY),
        ):
            value = self.raw.get(field_id, "")
            reading = read_choice(field_id, value) if value else None
            choice = reading.choice if reading else None
            if not value and FIELDS_BY_ID[field_id].required:
                self.problem("ROW_FIELD_MISSING", field_id)
            elif value and choice is None:
                self.problem("ROW_FIELD_INVALID", field_id, **_choice_hint(choices, reading))
            elif reading is not None and reading.understood:
                self.checked.understood.append((field_id, reading))
            self.record[field_id] = choice

    def trainings(self) -> None:
        field_id = "trainings_in_period"
        if not self.present(field_id):
            self.record[field_id] = None
            return
        # a blank cell in the column is no training, as the template's hint says
        raw = self.raw.get(field_id, "")
        number, wrong = _bounded_int(field_id, self.row.values.get(field_id)) if raw else (0, None)
        if wrong == "INVALID":
            self.problem("ROW_FIELD_INVALID", field_id, **_int_hint(field_id))
        elif wrong == "OUT_OF_RANGE":
            self.problem("VALUE_OUT_OF_RANGE", field_id, **_range_params(field_id))
        self.record[field_id] = number

    def yes_no(self) -> None:
        for field_id in ("dx_network_member", "incident_response_member", "platform_access"):
            if not self.present(field_id):
                self.record[field_id] = None
                continue
            flag, reading = read_yes_no(self.row.values.get(field_id))  # blank = Không
            if flag is None:
                self.problem(
                    "ROW_FIELD_INVALID", field_id, **_choice_hint(("Có", "Không"), reading)
                )
            elif reading.understood:
                self.checked.understood.append((field_id, reading))
            self.record[field_id] = flag

    def free_text(self) -> None:
        for field_id in ("position_title", "job_position", "note"):
            self.record[field_id] = self.text(field_id) or None

    def run(self) -> CheckedRow:
        for step in (
            self.row_no,
            self.full_name,
            self.birth_year,
            self.choices,
            self.trainings,
            self.yes_no,
            self.free_text,
        ):
            step()
        return self.checked


def check_row(
    row: StaffRow, sheet: str, period: str | None, today: dt.date | None = None
) -> CheckedRow:
    """Normalise one person row; every problem in it names its row and column.

    A column the file does not have gives ``None`` (unknown); a blank cell in a column it has
    gives 0 trainings or "Không", as the template says.
    """
    return _RowCheck(row, sheet, period, today or as_of_today()).run()


def identify_unit(
    parsed: ParsedFile, registry: Mapping[str, list[ReportingUnit]]
) -> dict[str, object]:
    """The unit and period a file names, as far as they can be read, for a file that cannot be
    checked (its feedback still goes to the unit's folder)."""
    stated_type = read_choice("unit_type", _raw(parsed.unit.get("unit_type"))).choice
    code = _raw(parsed.unit.get("unit_code"))
    code = _registry_code(code, stated_type, registry) if _UNIT_CODE.fullmatch(code) else ""
    name = _raw(parsed.unit.get("unit_name"))
    return {
        "unit_code": code or None,
        "unit_name": name if len(name) <= FIELDS_BY_ID["unit_name"].max_chars else "",
        "period_id": parse_period(parsed.unit.get("period")),
    }


def check_submission(
    parsed: ParsedFile,
    registry: Mapping[str, list[ReportingUnit]],
    today: dt.date | None = None,
) -> CheckedSubmission:
    """Check a whole parsed file: unit fields first, then every person row.

    ``dxwh check`` and ingest both call this, so what one accepts the other loads.
    """
    today = today or as_of_today()
    checked = CheckedSubmission(parsed=parsed)
    if not parsed.readable:
        checked.unit = identify_unit(parsed, registry)
        return checked
    checked.unit, checked.problems = check_unit(parsed, registry, today)
    checked.problems.extend(missing_staff_columns(parsed))
    period = checked.unit.get("period_id")
    checked.rows = [
        check_row(row, parsed.staff_sheet, period if isinstance(period, str) else None, today)
        for row in parsed.staff
    ]
    checked.problems.extend(values_understood(checked.rows, parsed.staff_sheet))
    return checked


_NAMED_ROWS = 5  # rows named in one VALUE_UNDERSTOOD warning; the rest are counted


def values_understood(rows: list[CheckedRow], sheet: str) -> list[Problem]:
    """One VALUE_UNDERSTOOD warning per column and value as written, naming its rows and
    whose they are: a file where every person's degree says "Kỹ sư" gets one line, not 30."""
    seen: dict[tuple[str, str], tuple[Reading, list[CheckedRow]]] = {}
    for row in rows:
        for field_id, reading in row.understood:
            seen.setdefault((field_id, reading.typed), (reading, []))[1].append(row)
    problems = []
    for (field_id, _), (reading, where) in seen.items():
        named = [f"dòng {r.row_number}" + (f" ({r.person})" if r.person else "") for r in where]
        named_en = [f"row {r.row_number}" for r in where]
        more = len(where) - _NAMED_ROWS
        rows_vi = ", ".join(named[:_NAMED_ROWS]) + (f" và {more} dòng khác" if more > 0 else "")
        rows_en = ", ".join(named_en[:_NAMED_ROWS]) + (f" and {more} more" if more > 0 else "")
        problems.append(
            value_understood(
                field_id,
                reading,
                sheet=sheet,
                row=where[0].row_number,
                column=_label(field_id),
                rows_vi=f", ở {rows_vi}",
                rows_en=f", on {rows_en}",
            )
        )
    return problems


def index_registry(units: list[ReportingUnit]) -> dict[str, list[ReportingUnit]]:
    index: dict[str, list[ReportingUnit]] = {}
    for unit in units:
        index.setdefault(unit.unit_id, []).append(unit)
    return index
