"""How real files depart from the template, and what the pipeline must conclude from each.

A share of files (default 10%) gets one :data:`VARIANTS` entry; on top of that each batch
carries a few files clerks really send: the same file twice, a corrected file sent later, a
file with a mistyped unit code, rows with impossible values, and a file that cannot be opened.
Each planned file records its expected status and error codes for the manifest.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from core.periods import period_end_date
from ingest.demo.layout import Style
from ingest.demo.population import Submission

FORMATS = ("xlsx", "xls", "ods", "csv")


@dataclass(frozen=True)
class Variant:
    name: str
    fmt: str = "xlsx"
    style: Style = field(default_factory=Style)
    csv_encoding: str = "utf-8-sig"
    period_in_words: bool = False
    line_end: str = "\r\n"


VARIANTS: tuple[Variant, ...] = (
    Variant("title_rows", style=Style(title_rows=True)),
    Variant("merged_header", style=Style(title_rows=True, merged_header=True)),
    Variant("total_row", style=Style(total_row=True)),
    Variant("nfd_text", style=Style(text="nfd")),
    Variant("headers_without_diacritics", style=Style(headers="ascii")),
    Variant("headers_in_capitals", style=Style(headers="upper")),
    Variant("dates_as_text", style=Style(dates="text")),
    Variant("dates_as_serials", style=Style(dates="serial")),
    Variant("numbers_as_text", style=Style(numbers_as_text=True)),
    Variant("period_in_words", period_in_words=True),
    Variant("xls", fmt="xls"),
    Variant("xls_merged_header", fmt="xls", style=Style(title_rows=True, merged_header=True)),
    Variant("ods", fmt="ods"),
    Variant("ods_total_row", fmt="ods", style=Style(total_row=True, dates="text")),
    Variant("tcvn3_text", style=Style(text="tcvn3")),
    Variant("vni_text", style=Style(text="vni")),
    Variant("csv_utf8_bom", fmt="csv", csv_encoding="utf-8-sig"),
    Variant("csv_utf16", fmt="csv", csv_encoding="utf-16"),
    Variant("csv_windows_1258", fmt="csv", csv_encoding="cp1258"),
)
CLEAN = Variant("clean")


def available_variants() -> tuple[Variant, ...]:
    return VARIANTS


@dataclass
class PlannedFile:
    """A file to write and what the pipeline must conclude from it."""

    path: str  # relative to the inbox, POSIX separators
    submission: Submission
    variant: Variant
    expected_status: str  # accepted | superseded | duplicate | rejected | partial
    expected_error_codes: list[str] = field(default_factory=list)
    arrival: dt.datetime = dt.datetime(2000, 1, 1)
    copy_of: str | None = None  # the same bytes as another planned file
    truncate: bool = False  # an interrupted download: the first part of a real workbook
    counted_staff: list[dict[str, object]] | None = None  # rows the warehouse must keep
    # field -> people kept with that field unknown (a value the checks cannot read)
    unknown: dict[str, int] = field(default_factory=dict)

    @property
    def kept(self) -> list[dict[str, object]]:
        return self.submission.staff if self.counted_staff is None else self.counted_staff

    def manifest_entry(self) -> dict[str, object]:
        staff = [] if self.expected_status in ("rejected", "duplicate") else self.kept
        dedicated = sum(1 for p in staff if p["assignment"] == "Chuyên trách")
        return {
            "file": self.path,
            "unit_id": self.submission.unit.unit_id,
            "unit_level": self.submission.unit.unit_level,
            "province_id": self.submission.unit.province_code,
            "period_id": self.submission.period_id,
            "submitted_on": str(self.submission.header["submitted_on"]),
            "expected_status": self.expected_status,
            "n_staff": len(staff),
            "n_dedicated": dedicated,
            "n_concurrent": len(staff) - dedicated,
            "n_unknown": {} if not staff else dict(sorted(self.unknown.items())),
            "expected_error_codes": sorted(self.expected_error_codes),
            "variant": self.variant.name,
        }


def file_name(sub: Submission, suffix: str = "", ext: str = "xlsx") -> str:
    return str(PurePosixPath(sub.period_id) / f"{sub.unit.unit_id}_{sub.period_id}{suffix}.{ext}")


def _arrival(sub: Submission, index: int, days_later: int = 0) -> dt.datetime:
    submitted = sub.header.get("submitted_on")
    day = submitted if isinstance(submitted, dt.date) else period_end_date(sub.period_id)
    base = dt.datetime.combine(day + dt.timedelta(days=days_later), dt.time(8))
    return base + dt.timedelta(seconds=index)


def _typo_code(code: str, taken: set[str], rng: random.Random) -> str:
    """A unit code as a clerk mistypes it, guaranteed not to be in the registry."""
    for _ in range(50):
        chars = list(code)
        i = rng.randrange(len(chars))
        chars[i] = rng.choice("0123456789") if chars[i].isdigit() else chars[i]
        candidate = "".join(chars)
        if candidate not in taken:
            return candidate
    return code + "9"


_IMPOSSIBLE_ROWS: tuple[tuple[dict[str, object], str, str | None], ...] = (
    # a birth year typed as the report year: impossible for a civil servant, but the person
    # is real and still counts (the year is unknown)
    ({"birth_year": 2030}, "BIRTH_YEAR_OUT_OF_RANGE", "birth_year"),
    # a placeholder where the name goes: the row names no one and is held back
    ({"full_name": "-"}, "ROW_NAME_INVALID", None),
)


def plan_files(
    subs: Sequence[Submission],
    mess_share: float,
    registry_ids: set[str],
    rng: random.Random,
    variant_offset: int = 0,
) -> list[PlannedFile]:
    """The files of one batch (one province and period) with their expected outcomes."""
    files = [
        PlannedFile(file_name(s), s, CLEAN, "accepted", arrival=_arrival(s, i))
        for i, s in enumerate(subs)
    ]
    if mess_share <= 0 or not subs:
        return files
    variants = available_variants()
    indices = list(range(len(files)))
    rng.shuffle(indices)
    n_variant = min(len(files), round(len(files) * mess_share))
    for k, i in enumerate(indices[:n_variant]):
        variant = variants[(k + variant_offset) % len(variants)]
        f = files[i]
        f.variant = variant
        f.path = file_name(f.submission, ext=variant.fmt)
        if variant.period_in_words:
            f.submission.header["period"] = _period_in_words(f.submission.period_id)
    plain = [files[i] for i in indices[n_variant:]]
    extras: list[PlannedFile] = []
    n_each = max(1, round(len(files) * mess_share * 0.04))
    pool = iter(plain)
    for _ in range(n_each):
        extras += _duplicate(next(pool, None))
        extras += _corrected(next(pool, None), rng)
        extras += _unknown_unit(next(pool, None), registry_ids, rng)
        extras += _impossible_values(next(pool, None))
        extras += _unreadable(next(pool, None))
    return files + extras


def _period_in_words(period: str) -> str:
    if period.endswith("-H1"):
        return f"6 tháng đầu năm {period[:4]}"
    if period.endswith("-H2"):
        return f"6 tháng cuối năm {period[:4]}"
    return f"Năm {period}"


def _duplicate(f: PlannedFile | None) -> list[PlannedFile]:
    if f is None:
        return []
    copy = PlannedFile(
        file_name(f.submission, " (gui lai)"),
        f.submission,
        dataclasses.replace(f.variant, name="sent_twice"),
        "duplicate",
        arrival=f.arrival + dt.timedelta(hours=2),
        copy_of=f.path,
    )
    return [copy]


def _corrected(f: PlannedFile | None, rng: random.Random) -> list[PlannedFile]:
    """``f`` becomes the corrected file; an earlier, wrong version was sent before it."""
    if f is None:
        return []
    sub = f.submission
    # a person left out, noticed later (a unit with nobody re-sends the same list)
    wrong_staff = [dict(p) for p in sub.staff][:-1]
    earlier_on = sub.header["submitted_on"]
    assert isinstance(earlier_on, dt.date)
    corrected_on = earlier_on + dt.timedelta(days=rng.randint(5, 15))
    if sub.filing_cutoff is not None:  # a ceased unit's successor corrects by the deadline
        corrected_on = min(corrected_on, sub.filing_cutoff)
    sub.header["submitted_on"] = corrected_on
    f.path = file_name(sub, "_dieu_chinh")
    f.variant = dataclasses.replace(f.variant, name="corrected_later")
    f.arrival = _arrival(sub, 0)
    earlier = Submission(
        sub.unit, sub.period_id, {**sub.header, "submitted_on": earlier_on}, [], sub.filing_cutoff
    )
    earlier.staff = wrong_staff
    return [
        PlannedFile(
            file_name(sub),
            earlier,
            dataclasses.replace(CLEAN, name="superseded_by_correction"),
            "superseded",
            arrival=_arrival(earlier, 0),
        )
    ]


def _unknown_unit(
    f: PlannedFile | None, registry_ids: set[str], rng: random.Random
) -> list[PlannedFile]:
    if f is None:
        return []
    sub = f.submission
    typo = _typo_code(sub.unit.unit_id, registry_ids, rng)
    bad = Submission(sub.unit, sub.period_id, {**sub.header, "unit_code": typo}, list(sub.staff))
    return [
        PlannedFile(
            file_name(sub, "_sai_ma"),
            bad,
            dataclasses.replace(CLEAN, name="unknown_unit_code"),
            "rejected",
            ["UNIT_UNKNOWN"],
            arrival=f.arrival - dt.timedelta(hours=3),
        )
    ]


def _impossible_values(f: PlannedFile | None) -> list[PlannedFile]:
    """``f`` carries extra rows a clerk mistyped: a person with an impossible value still
    counts (that value unknown); a row naming no one is quarantined; the rest load."""
    if f is None or not f.submission.staff:
        return []
    sub = f.submission
    good = list(sub.staff)
    template = dict(good[0])
    bad_rows: list[dict[str, object]] = []
    counted = list(good)
    for changes, _, unknown in _IMPOSSIBLE_ROWS:
        row = {**template, **changes, "row_no": len(good) + len(bad_rows) + 1}
        bad_rows.append(row)
        if unknown is not None:  # a person, with that field unknown
            counted.append(row)
            f.unknown[unknown] = f.unknown.get(unknown, 0) + 1
    sub.staff = good + bad_rows
    f.counted_staff = counted
    f.expected_status = "partial"
    f.expected_error_codes = sorted({code for _, code, _ in _IMPOSSIBLE_ROWS})
    f.variant = dataclasses.replace(f.variant, name="impossible_values")
    return []


def _unreadable(f: PlannedFile | None) -> list[PlannedFile]:
    if f is None:
        return []
    return [
        PlannedFile(
            file_name(f.submission, "_loi_tai_xuong"),
            f.submission,
            dataclasses.replace(CLEAN, name="unreadable"),
            "rejected",
            ["FILE_UNREADABLE"],
            arrival=f.arrival - dt.timedelta(hours=1),
            truncate=True,
        )
    ]


# Clerk variants: how clerks who never saw the template's spelling word a real report. Each
# class writes one unit's report its own way; the warehouse must count what a person reading
# the file counts (the canonical staff list), every reading warned.
_MAJOR_WORDS = {"CNTT": ("Công nghệ thông tin", "Tin học"), "An toàn thông tin": ("ATTT",)}
_DEGREE_WORDS = {"Đại học": ("Kỹ sư", "Cử nhân"), "Thạc sĩ": ("ThS",)}
_YES_NO_WORDS = {"Có": "Đã tham gia", "Không": "Chưa tham gia"}
# names that name no one: a placeholder, punctuation, invisible characters
PLACEHOLDER_NAMES = ("-", ".", "\u3164", "\u2800", "\u115f", "\u180e", "\u0301", "…")


StaffEdit = Callable[[list[dict[str, object]]], list[dict[str, object]]]


def _cycle(words: tuple[str, ...], i: int) -> str:
    return words[i % len(words)]


def _reworded(field_id: str, words: dict[str, tuple[str, ...]]) -> StaffEdit:
    """Write ``field_id`` in the clerks' wordings of its value, a different one row by row."""

    def edit(staff: list[dict[str, object]]) -> list[dict[str, object]]:
        out = []
        for i, p in enumerate(staff):
            q = dict(p)
            if q.get(field_id) in words:
                q[field_id] = _cycle(words[str(q[field_id])], i)
            out.append(q)
        return out

    return edit


def _yes_no_values(staff: list[dict[str, object]]) -> list[dict[str, object]]:
    return [
        {**p, "dx_network_member": _YES_NO_WORDS.get(str(p.get("dx_network_member")), "")}
        for p in staff
    ]


def _typo_values(staff: list[dict[str, object]]) -> list[dict[str, object]]:
    typo = {"Chuyên trách": "Chuyên tráhc", "Kiêm nhiệm": "Kiêm nhiệm (kiêm)"}
    return [
        {**p, "assignment": typo.get(str(p.get("assignment")), p.get("assignment"))} for p in staff
    ]


_ABBREVIATED = (
    ("unit_code", "Mã ĐV"),
    ("period", "Kỳ BC"),
    ("community_teams", "Số Tổ CNS cộng đồng"),
    ("community_team_members", "Số thành viên Tổ CNS cộng đồng"),
)
_REWORDED_TRAINING = (("trainings_in_period", "Số lần tham gia bồi dưỡng về chuyển đổi số"),)
_RENAMED_SHEETS = ("Thông tin đơn vị", "Danh sách nhân lực")

# class -> (how the file is written, what its staff cells say, expected status, codes)
ClerkClass = tuple[Variant, object, str, tuple[str, ...]]
CLERK_CLASSES: dict[str, ClerkClass] = {
    "full_name_majors": (
        Variant("full_name_majors"),
        _reworded("field_of_study", _MAJOR_WORDS),
        "accepted",
        (),
    ),
    "engineer_degrees": (
        Variant("engineer_degrees"),
        _reworded("education_level", _DEGREE_WORDS),
        "accepted",
        (),
    ),
    "yes_no_in_words": (Variant("yes_no_in_words"), _yes_no_values, "accepted", ()),
    "typo_in_values": (Variant("typo_in_values"), _typo_values, "accepted", ()),
    "abbreviated_labels": (
        Variant("abbreviated_labels", style=Style(labels=_ABBREVIATED)),
        None,
        "accepted",
        (),
    ),
    "reworded_training_column": (
        Variant("reworded_training_column", style=Style(labels=_REWORDED_TRAINING)),
        None,
        "accepted",
        (),
    ),
    "renamed_sheets": (
        Variant("renamed_sheets", style=Style(sheet_names=_RENAMED_SHEETS)),
        None,
        "accepted",
        (),
    ),
    "csv_cr_line_ends": (
        Variant("csv_cr_line_ends", fmt="csv", csv_encoding="utf-8", line_end="\r"),
        None,
        "accepted",
        (),
    ),
    "impossible_birth_years": (
        Variant("impossible_birth_years"),
        None,
        "partial",
        ("BIRTH_YEAR_OUT_OF_RANGE",),
    ),
    "placeholder_names": (Variant("placeholder_names"), None, "partial", ("ROW_NAME_INVALID",)),
}


def clerk_variant_files(subs: Sequence[Submission]) -> list[PlannedFile]:
    """One file per clerk-variant class (:data:`CLERK_CLASSES`), each from its own submission
    (units with staff; a commune first, for the community-team labels). The written cells
    differ from the template's spelling; ``counted_staff`` is what a person reading the file
    counts, and ``unknown`` the values nobody can read."""
    pool = sorted(
        (s for s in subs if s.staff), key=lambda s: (s.unit.unit_level != "commune", s.unit.unit_id)
    )
    files: list[PlannedFile] = []
    for i, (name, (variant, reword, status, codes)) in enumerate(CLERK_CLASSES.items()):
        # a unit whose report the class changes (a unit with no IT major has no major to
        # spell out); each unit once
        sub = next((s for s in pool if not callable(reword) or reword(s.staff) != s.staff), None)
        if sub is None:
            continue
        pool.remove(sub)
        truth = [dict(p) for p in sub.staff]
        written = [dict(p) for p in sub.staff]
        unknown: dict[str, int] = {}
        if callable(reword):
            written = reword(written)
        if name == "impossible_birth_years":
            for p, year in zip(written, (2019, 1890), strict=False):
                p["birth_year"] = year
                unknown["birth_year"] = unknown.get("birth_year", 0) + 1
        if name == "placeholder_names":
            for k, placeholder in enumerate(PLACEHOLDER_NAMES):
                written.append(
                    {**written[0], "full_name": placeholder, "row_no": len(truth) + k + 1}
                )
        copy = Submission(sub.unit, sub.period_id, dict(sub.header), written)
        files.append(
            PlannedFile(
                file_name(sub, f"_{name}", variant.fmt),
                copy,
                variant,
                status,
                list(codes),
                arrival=_arrival(sub, i),
                counted_staff=truth,
                unknown=unknown,
            )
        )
    return files
