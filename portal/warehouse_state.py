"""What the nightly run made of the files: the night's record of its loads and the published marts.

The portal never opens the build database: its one writer is the nightly run, and a reader
holding it (even read-only) makes the night's write fail on DuckDB's lock. How each file was
taken comes from the small record the night writes after each load
(:mod:`core.intake_record`); who reported comes from the published warehouse, opened read-only.
Results are cached for a short while, keyed on the files' modification times.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from core.intake_record import read_record, record_path
from core.settings import Settings
from warehouse.sql import connect_published

CACHE_SECONDS = 30.0
T = TypeVar("T")


@dataclass(frozen=True)
class FileLoad:
    """How the nightly loader took one file (``audit.file_loads``)."""

    sha256: str
    status: str  # accepted | partial | rejected | duplicate
    rows_loaded: int
    loaded_at: str


@dataclass(frozen=True)
class LastFile:
    """The latest file the nightly loader took for a unit and period, and its verdict."""

    unit_id: str
    sha256: str
    source_file: str
    status: str  # accepted | partial | rejected | duplicate
    n_errors: int
    loaded_at: str


@dataclass(frozen=True)
class ComplianceRow:
    """One unit in one period, as the published warehouse sees it."""

    unit_id: str
    unit_name: str
    unit_level: str
    period_id: str
    deadline_date: str
    is_submitted: bool
    is_on_time: bool
    first_submitted_date: str | None
    has_focal_point: bool | None
    n_files_rejected: int
    current_submission_id: str | None
    # on_time | late | missing | not_yet_due (a period in progress: nobody is late yet)
    reporting_status: str


COMPLIANCE_SQL = """
with
compliance as (select * from marts.fct_reporting_compliance),
staffing as (select * from marts.fct_staffing),
unit_names as (select * from analyst.unit_names_by_period)
select
    compliance.unit_id,
    coalesce(unit_names.unit_name, compliance.unit_id) as unit_name,
    compliance.unit_level,
    compliance.period_id,
    cast(compliance.deadline_date as varchar) as deadline_date,
    compliance.is_submitted,
    compliance.is_on_time,
    cast(compliance.first_submitted_date as varchar) as first_submitted_date,
    staffing.has_dx_focal_point,
    cast(compliance.n_files_rejected as integer) as n_files_rejected,
    compliance.current_submission_id,
    compliance.reporting_status
from compliance
left join staffing
    on compliance.unit_id = staffing.unit_id and compliance.period_id = staffing.period_id
left join unit_names
    on compliance.unit_id = unit_names.unit_id and compliance.period_id = unit_names.period_id
where {where}
order by
    case compliance.unit_level when 'province' then 1 when 'district' then 2 else 3 end,
    compliance.unit_id
"""


class WarehouseState:
    """Read-only views of the build audit and the published warehouse, cached briefly."""

    def __init__(self, settings: Settings, cache_seconds: float = CACHE_SECONDS) -> None:
        self.settings = settings
        self.cache_seconds = cache_seconds
        self._cache: dict[tuple[object, ...], tuple[float, object]] = {}
        self._lock = threading.Lock()

    def _cached(self, key: tuple[object, ...], compute: Callable[[], T]) -> T:
        with self._lock:
            hit = self._cache.get(key)
            if hit and time.monotonic() - hit[0] < self.cache_seconds:
                return hit[1]  # type: ignore[return-value]
        value = compute()
        with self._lock:
            self._cache[key] = (time.monotonic(), value)
        return value

    # the night's record of its loads ------------------------------------------------------

    def _record_changed(self) -> int | None:
        path = record_path(self.settings.home)
        return path.stat().st_mtime_ns if path.is_file() else None

    def file_loads(self, shas: Iterable[str]) -> dict[str, FileLoad]:
        """How the nightly loader took each of these files (absent: not loaded yet)."""
        wanted = frozenset(shas)
        if not wanted:
            return {}
        loads = self._cached(("loads", self._record_changed()), self._read_file_loads)
        return {sha: load for sha, load in loads.items() if sha in wanted}

    def last_files(self, period_id: str) -> dict[str, LastFile]:
        """Per unit, the latest file the nightly loader took for ``period_id``."""
        return self._cached(
            ("last", period_id, self._record_changed()), lambda: self._read_last_files(period_id)
        )

    def _read_file_loads(self) -> dict[str, FileLoad]:
        # a file seen twice (re-sent bytes) is first loaded, then a duplicate: keep what loaded it
        found: dict[str, FileLoad] = {}
        for row in sorted(read_record(self.settings.home), key=lambda r: r.loaded_at):
            if row.sha256 not in found or found[row.sha256].status == "duplicate":
                found[row.sha256] = FileLoad(row.sha256, row.status, row.rows_loaded, row.loaded_at)
        return found

    def _read_last_files(self, period_id: str) -> dict[str, LastFile]:
        last: dict[str, LastFile] = {}
        for row in read_record(self.settings.home):  # in arrival order: the last one wins
            if row.period_id == period_id and row.unit_code is not None:
                last[row.unit_code] = LastFile(
                    row.unit_code, row.sha256, row.source_file, row.status, row.n_errors,
                    row.loaded_at,
                )  # fmt: skip
        return last

    # the published warehouse -------------------------------------------------------------

    def published_version(self) -> float | None:
        """When the published warehouse was last replaced (its file's mtime), or ``None``."""
        path = self.settings.published_db
        return path.stat().st_mtime if path.is_file() else None

    def periods(self) -> list[str]:
        """Periods the published warehouse knows, newest first."""
        return self._cached(("periods", self.published_version()), self._read_periods)

    def compliance(
        self, period_id: str | None = None, unit_id: str | None = None
    ) -> list[ComplianceRow]:
        """Per unit and period: submitted, on time, focal point (empty before the first publish)."""
        key = ("compliance", self.published_version(), period_id, unit_id)
        return self._cached(key, lambda: self._read_compliance(period_id, unit_id))

    def _read_periods(self) -> list[str]:
        if not self.settings.published_db.is_file():
            return []
        with connect_published(self.settings.published_db) as con:
            rows = con.execute(
                "select period_id from marts.dim_period order by end_date desc, start_date"
            ).fetchall()
        return [str(r[0]) for r in rows]

    def _read_compliance(self, period_id: str | None, unit_id: str | None) -> list[ComplianceRow]:
        if not self.settings.published_db.is_file():
            return []
        clauses, params = ["true"], []
        if period_id is not None:
            clauses.append("compliance.period_id = ?")
            params.append(period_id)
        if unit_id is not None:
            clauses.append("compliance.unit_id = ?")
            params.append(unit_id)
        sql = COMPLIANCE_SQL.format(where=" and ".join(clauses))
        with connect_published(self.settings.published_db) as con:
            rows = con.execute(sql, params).fetchall()
        return [ComplianceRow(*r) for r in rows]
