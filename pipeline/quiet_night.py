"""Whether tonight must build, or is a quiet night that keeps the published warehouse as it is.

A night builds (dbt, Great Expectations, publish) when any of these holds:

- something landed since the last successful build: a new submission or DTI file (any status),
  a changed unit registry or province list — compared as a fingerprint of the landing tables;
- the dbt project or the analyst views changed (a deployment);
- a period of the reporting calendar began or its due date passed (the dbt seed
  ``reporting_calendar.csv``), or a plan target's deadline (``plan_targets.csv``) passed, between
  the last build's date and tonight's: a new period appears, one in progress becomes due (the
  scorecard's headline moves on to it), statuses such as "late" or "missed" move with the
  calendar;
- nothing was published yet, the last build is unknown, or the operator asked for it
  (``reprocess_period``, ``force``).

Otherwise the marts would come out as they are, so the night skips them. Dates are the run's
data-interval dates in Asia/Ho_Chi_Minh, never the wall clock.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from core.db import session
from core.reporting_calendar import calendar_csv, load_calendar
from core.settings import DBT_PROJECT_DIR, Settings

# Every table whose content the marts are built from, as the loaders leave it. Append-only
# audit tables stand for their files' rows (a new file adds a row; a seen file adds none).
LANDING_TABLES = (
    "audit.file_loads",
    "audit.dti_file_loads",
    "raw.reporting_units",
    "raw.unit_lineage",
    "raw.reporting_exemptions",
    "raw.provinces",
    "raw.province_crosswalk",
    "raw.dti_methodology",
    "raw.dti_national_means",
)
_NOT_SOURCE = frozenset({"target", "logs", "dbt_packages"})


@dataclass(frozen=True)
class NightPlan:
    """What tonight does, and why (the run summary shows the reasons)."""

    build: bool
    reasons: list[str]
    as_of: str  # the night's date, ISO
    fingerprint: str
    last_build_run: str | None = None
    last_build_as_of: str | None = None
    calendar: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    schema, table = name.split(".")
    row = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    return bool(row and row[0])


def landing_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """A digest of every landing table's rows, independent of row order.

    Each table contributes its row count and the sum of its rows' hashes (a sum, not an xor,
    so two equal rows do not cancel out).
    """
    digest = hashlib.sha256()
    for name in LANDING_TABLES:
        if _table_exists(con, name):
            row = con.execute(
                f"select count(*), coalesce(sum(hash(t)::hugeint), 0)::varchar from {name} as t"
            ).fetchone()
            digest.update(f"{name}:{row[0]}:{row[1]};".encode() if row else name.encode())
        else:
            digest.update(f"{name}:absent;".encode())
    return digest.hexdigest()


def code_fingerprint(folders: Iterable[Path]) -> str:
    """A digest of the files that shape the marts and views (paths and bytes)."""
    digest = hashlib.sha256()
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder)
            if not path.is_file() or _NOT_SOURCE & set(relative.parts[:1]):
                continue
            digest.update(f"{folder.name}/{relative.as_posix()}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def calendar_events(
    since: dt.date, until: dt.date, seeds_dir: Path = DBT_PROJECT_DIR / "seeds"
) -> list[tuple[dt.date, str]]:
    """Days in ``(since, until]`` on which a mart's status can change with no new data.

    A due date counts on the day after it (the first day a report is late, the period no
    longer in progress and a target missed); a period of the calendar on its first day.
    """
    if until <= since:
        return []
    events: list[tuple[dt.date, str]] = []
    calendar = calendar_csv()  # the deployment's (DXWH_CALENDAR_DIR), as dbt seeds it
    if calendar.is_file():
        for period in load_calendar(calendar).periods:
            events.append((period.start_date, f"period {period.period_id} begins"))
            events.append(
                (
                    period.deadline_date + dt.timedelta(days=1),
                    f"reporting deadline for {period.period_id}",
                )
            )
    targets = seeds_dir / "plan_targets.csv"
    if targets.is_file():
        with targets.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row.get("deadline_date"):
                    due = dt.date.fromisoformat(row["deadline_date"])
                    events.append((due + dt.timedelta(days=1), f"deadline of {row['target_id']}"))
    return sorted({(day, what) for day, what in events if since < day <= until})


def _last_build(con: duckdb.DuckDBPyConnection) -> tuple[str, dict[str, Any]] | None:
    """The run id and plan of the last night that built and published successfully."""
    if not _table_exists(con, "audit.pipeline_runs"):
        return None
    row = con.execute(
        "select run_id, summary from audit.pipeline_runs where status = 'success' "
        "order by finished_at desc limit 1"
    ).fetchone()
    if row is None:
        return None
    plan = json.loads(row[1]).get("plan") or {}
    return str(row[0]), plan


def plan_night(
    settings: Settings,
    as_of: dt.date,
    *,
    reprocess_period: str | None = None,
    force: bool = False,
    code_folders: Iterable[Path] | None = None,
) -> NightPlan:
    """Decide whether tonight builds; read-only on the build database."""
    from warehouse.analyst_views import QUERIES_DIR

    folders = list(code_folders) if code_folders is not None else [DBT_PROJECT_DIR, QUERIES_DIR]
    with session(settings.build_db, read_only=True) as con:
        fingerprint = hashlib.sha256(
            f"{landing_fingerprint(con)}:{code_fingerprint(folders)}".encode()
        ).hexdigest()
        last = _last_build(con)
    reasons: list[str] = []
    if force:
        reasons.append("forced by the operator")
    if reprocess_period:
        reasons.append(f"re-processing period {reprocess_period}")
    if not settings.published_db.exists():
        reasons.append("nothing has been published yet")
    last_run, last_plan = last if last else (None, {})
    last_as_of = last_plan.get("as_of")
    calendar: list[str] = []
    if last is None or not last_as_of or not last_plan.get("fingerprint"):
        reasons.append("no earlier successful build on record")
    else:
        if last_plan["fingerprint"] != fingerprint:
            reasons.append("new or changed files, registry or code since the last build")
        calendar = [
            f"{day.isoformat()}: {what}"
            for day, what in calendar_events(dt.date.fromisoformat(last_as_of), as_of)
        ]
        if calendar:
            reasons.append(f"the calendar moved on: {'; '.join(calendar)}")
    return NightPlan(
        build=bool(reasons),
        reasons=reasons,
        as_of=as_of.isoformat(),
        fingerprint=fingerprint,
        last_build_run=last_run,
        last_build_as_of=last_as_of,
        calendar=calendar,
    )
