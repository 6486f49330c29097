"""What one checked submission lands as: its outcome and its rows for each landing table.

Built in the reader's worker process, so the writer only appends columns. Every row is keyed
by column name (never by position), and every value bound for an integer column is checked
against the column's type first: a value the database cannot hold becomes an unknown value of
the person (or a rejected file, for a ``DonVi`` field) with a code, never a failed insert.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass, field

from core.db import Block, to_block
from core.vocabulary import TEMPLATE_VERSION, FileStatus
from ingest.contract import FIELDS_BY_ID
from ingest.loader import BatchContext
from ingest.problems import Problem
from ingest.submissions.checks import CheckedRow, CheckedSubmission
from ingest.text import match_key

# DuckDB ``integer`` is 32-bit signed.
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
_UNIT_INT_FIELDS = ("community_teams", "community_team_members", "community_team_members_trained")
_STAFF_INT_FIELDS = ("row_no", "birth_year", "trainings_in_period")
RAW_VALUE_OUT_OF_RANGE = "VALUE_OUT_OF_RANGE"
UNIT_VALUE_OUT_OF_RANGE = "UNIT_VALUE_OUT_OF_RANGE"


@dataclass
class FileOutcome:
    """What became of one inbox file, as ``audit.file_loads`` records it."""

    source_file: str
    sha256: str
    status: FileStatus
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    problems: list[Problem] = field(default_factory=list)
    unit_code: str | None = None
    period_id: str | None = None
    error_code: str | None = None  # set when the file could not be read at all


@dataclass
class LandedFile:
    """One file's outcome and the rows it adds to each table, as a block of row tuples under
    their column names (``table -> (names, rows)``): the writer concatenates the blocks of many
    files into one append per table.

    ``checked`` is kept only when the unit gets feedback (a rejected or partial file).
    """

    outcome: FileOutcome
    rows: dict[str, Block]
    checked: CheckedSubmission | None = None


def person_key(key: str, unit_code: str, full_name: str, birth_year: object) -> str:
    """Keyed pseudonym of a person within a unit: the same person gets the same key each period."""
    message = f"{unit_code}|{match_key(full_name)}|{birth_year}".encode()
    # hmac.digest: the same HMAC-SHA256 in one C call (hmac.new built a Python object a row)
    return hmac.digest(key.encode(), message, "sha256").hex()[:32]


def _fits_int32(value: object) -> bool:
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):
        return INT32_MIN <= value <= INT32_MAX
    return False  # a float or text in an integer column cannot be written either


def enforce_column_bounds(checked: CheckedSubmission) -> None:
    """Add a problem for each value an integer column cannot hold.

    A staff row with such a value keeps the person with that value unknown (kept as written
    among the row's extras); a ``DonVi`` field with one rejects the file.
    Checks may set tighter, plausible limits; this is the last guard before the typed columns.
    """
    if checked.file_ok:
        for field_id in _UNIT_INT_FIELDS:
            value = checked.unit.get(field_id)
            if not _fits_int32(value):
                checked.problems.append(
                    Problem(
                        UNIT_VALUE_OUT_OF_RANGE,
                        sheet=checked.parsed.unit_sheet,
                        row=checked.parsed.unit_rows.get(field_id),
                        column=checked.parsed.unit_columns.get(field_id),
                        value=str(value)[:50],
                        params={"label": FIELDS_BY_ID[field_id].label_vi},
                    )
                )
    for row in checked.rows:
        for field_id in _STAFF_INT_FIELDS:
            value = row.record.get(field_id)
            if not _fits_int32(value):
                row.problems.append(
                    Problem(
                        RAW_VALUE_OUT_OF_RANGE,
                        sheet=checked.parsed.staff_sheet,
                        row=row.row_number,
                        column=FIELDS_BY_ID[field_id].label_vi,
                        value=str(value)[:50],
                        params={"label": FIELDS_BY_ID[field_id].label_vi},
                        person=row.person or None,
                    )
                )
                row.record[field_id] = None
                row.unread[field_id] = str(value)[:50]


def _problem_records(sha: str, source: str, problems: list[Problem]) -> list[dict[str, object]]:
    return [
        {
            "sha256": sha,
            "source_file": source,
            "code": p.code,
            "severity": p.severity,
            "scope": p.scope,
            "sheet": p.sheet,
            "row_number": p.row,
            "column_label": p.column,
            "value": p.value,
            "message_vi": p.message("vi"),
            "message_en": p.message("en"),
            "fix_vi": p.fix("vi"),
            "fix_en": p.fix("en"),
        }
        for p in problems
    ]


def _quarantined_file(
    sha: str, source: str, checked: CheckedSubmission, ctx: BatchContext
) -> dict[str, object]:
    errors = [p for p in checked.all_file_problems if p.is_error]
    return {
        "sha256": sha,
        "source_file": source,
        "error_codes": ",".join(sorted({p.code for p in errors})),
        "message_vi": " | ".join(p.message("vi") for p in errors),
        "message_en": " | ".join(p.message("en") for p in errors),
        "batch_id": ctx.batch_id,
        "quarantined_at": ctx.now,
    }


def _submission(
    sha: str, source: str, arrival_seq: int, checked: CheckedSubmission, ctx: BatchContext
) -> dict[str, object]:
    unit = checked.unit
    return {
        "sha256": sha,
        "unit_code": unit["unit_code"],
        "unit_name": unit["unit_name"],
        "unit_type": unit["unit_type"],
        "unit_level": unit.get("unit_level"),
        "period_id": unit["period_id"],
        "has_dx_focal_point": unit["has_dx_focal_point"],
        "focal_point_decision_ref": unit["focal_point_decision_ref"],
        "community_teams": unit["community_teams"],
        "community_team_members": unit["community_team_members"],
        "community_team_members_trained": unit["community_team_members_trained"],
        "prepared_by": unit["prepared_by"],
        "submitted_on": unit["submitted_on"],
        "template_version": TEMPLATE_VERSION,
        "source_file": source,
        "sheet": checked.parsed.unit_sheet,
        "arrival_seq": arrival_seq,
        "loaded_at": ctx.now,
        "batch_id": ctx.batch_id,
    }


_STAFF_COPIED = (
    "row_no", "full_name", "birth_year", "gender", "position_title", "job_position",
    "assignment", "education_level", "field_of_study", "trainings_in_period",
    "dx_network_member", "incident_response_member", "platform_access", "note",
)  # fmt: skip


def _staff_row(
    sha: str, source: str, checked: CheckedSubmission, r: CheckedRow, ctx: BatchContext
) -> dict[str, object]:
    unit_code = str(checked.unit["unit_code"])
    record: dict[str, object] = {
        "sha256": sha,
        "sheet": checked.parsed.staff_sheet,
        "row_number": r.row_number,
        "person_key": person_key(
            ctx.pseudonym_key, unit_code, str(r.record["full_name"]), r.record["birth_year"]
        ),
    }
    record.update({name: r.record[name] for name in _STAFF_COPIED})
    extras = {**r.extras, **r.unread_values()}
    record.update(
        extras=json.dumps(extras, ensure_ascii=False) if extras else None,
        source_file=source,
        loaded_at=ctx.now,
        batch_id=ctx.batch_id,
    )
    return record


def _quarantined_row(
    sha: str, source: str, checked: CheckedSubmission, r: CheckedRow, ctx: BatchContext
) -> dict[str, object]:
    errors = [p for p in r.problems if p.is_error]
    return {
        "sha256": sha,
        "source_file": source,
        "sheet": checked.parsed.staff_sheet,
        "row_number": r.row_number,
        "raw_values": json.dumps({**r.raw, **r.extras}, ensure_ascii=False),
        "error_codes": ",".join(sorted({p.code for p in errors})) or "FILE_REJECTED",
        "message_vi": " | ".join(p.message("vi") for p in errors) or "Tệp bị từ chối.",
        "message_en": " | ".join(p.message("en") for p in errors) or "File rejected.",
        "batch_id": ctx.batch_id,
        "quarantined_at": ctx.now,
    }


def file_load_record(
    o: FileOutcome, archived: str, arrival_seq: int, ctx: BatchContext
) -> dict[str, object]:
    """The file's ``audit.file_loads`` row."""
    return {
        "batch_id": ctx.batch_id,
        "source_file": o.source_file,
        "sha256": o.sha256,
        "archived_path": archived,
        "arrival_seq": arrival_seq,
        "status": str(o.status),
        "unit_code": o.unit_code,
        "period_id": o.period_id,
        "rows_read": o.rows_read,
        "rows_loaded": o.rows_loaded,
        "rows_quarantined": o.rows_quarantined,
        "n_errors": sum(1 for p in o.problems if p.is_error),
        "n_warnings": sum(1 for p in o.problems if not p.is_error),
        "loaded_at": ctx.now,
    }


def landed_rows(
    checked: CheckedSubmission,
    *,
    sha: str,
    source: str,
    archived: str,
    arrival_seq: int,
    ctx: BatchContext,
) -> LandedFile:
    """The outcome of one checked file and its rows for raw, quarantine and audit."""
    enforce_column_bounds(checked)
    rows: dict[str, list[dict[str, object]]] = {}
    unit = checked.unit
    if checked.file_ok:
        # a person with a field to fix still counts (that field unknown): only rows that
        # name no one are held back; either way the file is only partly right
        good = [r for r in checked.rows if r.loads]
        bad = [r for r in checked.rows if not r.loads]
        status = FileStatus.ACCEPTED if checked.accepted_whole else FileStatus.PARTIAL
        rows["raw.submissions"] = [_submission(sha, source, arrival_seq, checked, ctx)]
        rows["raw.staff_rows"] = [_staff_row(sha, source, checked, r, ctx) for r in good]
    else:
        good, bad = [], checked.rows
        status = FileStatus.REJECTED
        rows["quarantine.files"] = [_quarantined_file(sha, source, checked, ctx)]
    rows["quarantine.rows"] = [_quarantined_row(sha, source, checked, r, ctx) for r in bad]
    problems = checked.all_problems
    rows["audit.problems"] = _problem_records(sha, source, problems)
    period = unit.get("period_id")
    outcome = FileOutcome(
        source_file=source,
        sha256=sha,
        status=status,
        rows_read=len(checked.rows),
        rows_loaded=len(good),
        rows_quarantined=len(bad),
        problems=problems,
        unit_code=str(unit.get("unit_code") or "") or None,
        period_id=period if isinstance(period, str) else None,
    )
    rows["audit.file_loads"] = [file_load_record(outcome, archived, arrival_seq, ctx)]
    keep = checked if status != FileStatus.ACCEPTED else None
    return LandedFile(outcome, {t: to_block(r) for t, r in rows.items() if r}, keep)
