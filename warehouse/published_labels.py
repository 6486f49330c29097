"""The scorecard's Vietnamese wording of the data's codes, published as reference tables.

Identifiers in the data stay English snake_case (``achieved``, ``commune``, ``did_not_submit``);
the scorecard shows them in Vietnamese through :mod:`warehouse.report.labels`. Each publish
writes that same wording into the published file, so that analysts' SQL, the analyst views'
``…_vi`` columns and BI dashboards show what the scorecard shows, from one copy of the words:

- ``reference.code_labels``: ``(vocabulary, code) → label_vi`` for each coded column;
- ``reference.target_status_labels``: a target's status as the scorecard words it, which also
  depends on whether a value was measured and met (a measured value before the baseline period
  reads "Chưa có kỳ gốc để so sánh", not "Không đo được").
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import duckdb

from warehouse.documentation import Described, TableDoc
from warehouse.report.labels import (
    NO_FOCAL_POINT_REASON,
    REPORT_STATUS,
    TARGET_STATUS,
    UNIT_LEVELS,
    VERDICT,
    target_status_label,
)

# vocabulary (the coded column's name where the analyst views use it) -> code -> label
VOCABULARIES: dict[str, dict[str, str]] = {
    "unit_level": UNIT_LEVELS,
    "target_status": TARGET_STATUS,
    "verdict_status": VERDICT,
    "reporting_status": REPORT_STATUS,
    "no_focal_point_reason": NO_FOCAL_POINT_REASON,
}

CODE_LABELS_COLUMNS = "vocabulary varchar, code varchar, label_vi varchar"
TARGET_STATUS_COLUMNS = "status varchar, is_measured boolean, is_met boolean, status_vi varchar"

DOCS: dict[str, TableDoc] = {
    "reference.code_labels": TableDoc(
        table=Described(
            "Tên gọi tiếng Việt của các mã",
            "The Vietnamese wording the scorecard uses for each code of a coded column "
            "(unit levels, target statuses, verdicts, reporting statuses, reasons): join on "
            "vocabulary and code.",
        ),
        columns={
            "vocabulary": Described(
                "Danh mục",
                "Which codes: unit_level, target_status, verdict_status, reporting_status or "
                "no_focal_point_reason.",
            ),
            "code": Described("Mã", "The code as the data stores it (English snake_case)."),
            "label_vi": Described("Tên gọi", "The code in Vietnamese, as the scorecard shows it."),
        },
    ),
    "reference.target_status_labels": TableDoc(
        table=Described(
            "Tình trạng chỉ tiêu theo cách ghi của bảng điểm",
            "A target's status as the scorecard words it, for each status, whether a value was "
            "measured and whether it met the threshold: join on status, "
            "actual_value is not null and is_met (is not distinct from).",
        ),
        columns={
            "status": Described("Mã tình trạng", "fct_target_progress.status."),
            "is_measured": Described("Có giá trị thực tế", "An actual value was measured."),
            "is_met": Described("Đạt ngưỡng", "The value met the threshold (empty: not compared)."),
            "status_vi": Described("Tình trạng", "The status as the scorecard shows it."),
        },
    ),
}


def code_label_rows() -> list[tuple[str, str, str]]:
    """``(vocabulary, code, label_vi)`` of every code the scorecard words."""
    return [
        (vocabulary, code, label)
        for vocabulary, labels in VOCABULARIES.items()
        for code, label in labels.items()
    ]


def target_status_rows() -> list[tuple[str, bool, bool | None, str]]:
    """``(status, is_measured, is_met, status_vi)`` for every case the scorecard words."""
    return [
        (status, measured, met, target_status_label(status, 1.0 if measured else None, met))
        for status, measured, met in itertools.product(
            TARGET_STATUS, (True, False), (True, False, None)
        )
    ]


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def write_labels(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, int]:
    """Create and describe both tables in ``<catalog>.reference``; return their row counts."""
    con.execute(f"create schema if not exists {catalog}.reference")
    tables: dict[str, tuple[str, Sequence[tuple[object, ...]]]] = {
        "reference.code_labels": (CODE_LABELS_COLUMNS, code_label_rows()),
        "reference.target_status_labels": (TARGET_STATUS_COLUMNS, target_status_rows()),
    }
    counts: dict[str, int] = {}
    for name, (columns, rows) in tables.items():
        qualified = f"{catalog}.{name}"
        con.execute(f"create table {qualified} ({columns})")
        placeholders = ", ".join("?" for _ in columns.split(","))
        con.executemany(f"insert into {qualified} values ({placeholders})", rows)
        doc = DOCS[name]
        con.execute(f"comment on table {qualified} is {_quote(doc.table.comment)}")
        for column, described in doc.columns.items():
            con.execute(f"comment on column {qualified}.{column} is {_quote(described.comment)}")
        counts[name] = len(rows)
    return counts
