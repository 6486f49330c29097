"""What the nightly run made of the files: the build database's audit and the published marts.

Both are opened read-only and briefly. The build database has one writer, the nightly run: while
it works the file is locked and :class:`BuildBusy` is raised, which the pages show as
"đang cập nhật" (being updated) instead of failing. Results are cached for a short while so that
page views do not keep opening the file the nightly writer needs.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import duckdb

from core.settings import Settings
from warehouse.sql import connect_published

CACHE_SECONDS = 30.0
T = TypeVar("T")


class BuildBusy(Exception):
    """The nightly run holds the build database: its audit cannot be read just now."""


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


COMPLIANCE_SQL = """
with
compliance as (select * from marts.fct_reporting_compliance),
staffing as (select * from marts.fct_staffing),
periods as (select * from marts.dim_period),
units as (select * from marts.dim_unit),
unit_names as (
    select compliance.unit_id, compliance.period_id, units.unit_name
    from compliance
    inner join periods on compliance.period_id = periods.period_id
    inner join units
        on compliance.unit_id = units.unit_id
        and periods.end_date
        between units.valid_from and coalesce(units.valid_to, date '9999-12-31')
    qualify row_number() over (
        partition by compliance.unit_id, compliance.period_id order by units.valid_from desc
    ) = 1
)
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
    compliance.current_submission_id
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

    # the build database's audit ----------------------------------------------------------

    def file_loads(self, shas: Iterable[str]) -> dict[str, FileLoad]:
        """How the nightly loader took each of these files (absent: not loaded yet)."""
        wanted = tuple(sorted(set(shas)))
        if not wanted:
            return {}
        build_db = self.settings.build_db
        # keyed on the file's modification time too: a night's writes show at once
        changed = build_db.stat().st_mtime_ns if build_db.is_file() else None
        return self._cached(("loads", wanted, changed), lambda: _read_file_loads(build_db, wanted))

    def last_files(self, period_id: str) -> dict[str, LastFile]:
        """Per unit, the latest file the nightly loader took for ``period_id``."""
        build_db = self.settings.build_db
        changed = build_db.stat().st_mtime_ns if build_db.is_file() else None
        return self._cached(
            ("last", period_id, changed), lambda: _read_last_files(build_db, period_id)
        )

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


@contextmanager
def _audit(build_db: Path) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """A short read-only connection to the build database; ``None`` before its first load."""
    if not build_db.is_file():
        yield None
        return
    try:
        con = duckdb.connect(str(build_db), read_only=True)
    except duckdb.IOException as exc:  # the nightly writer holds the lock
        raise BuildBusy(str(exc)) from exc
    try:
        found = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'audit' and table_name = 'file_loads'"
        ).fetchone()
        yield con if found and found[0] else None
    finally:
        con.close()


def _read_file_loads(build_db: Path, shas: tuple[str, ...]) -> dict[str, FileLoad]:
    with _audit(build_db) as con:
        if con is None:
            return {}
        placeholders = ",".join("?" for _ in shas)
        rows = con.execute(
            "select sha256, status, rows_loaded, cast(loaded_at as varchar) from audit.file_loads "
            f"where sha256 in ({placeholders}) order by loaded_at",
            list(shas),
        ).fetchall()
    # a file seen twice (re-sent bytes) is first loaded, then a duplicate: keep what loaded it
    found: dict[str, FileLoad] = {}
    for sha, status, rows_loaded, loaded_at in rows:
        if sha not in found or found[sha].status == "duplicate":
            found[sha] = FileLoad(sha, status, int(rows_loaded), str(loaded_at))
    return found


def _read_last_files(build_db: Path, period_id: str) -> dict[str, LastFile]:
    with _audit(build_db) as con:
        if con is None:
            return {}
        rows = con.execute(
            "select unit_code, sha256, source_file, status, n_errors, cast(loaded_at as varchar) "
            "from audit.file_loads where period_id = ? and unit_code is not null "
            "qualify row_number() over (partition by unit_code order by arrival_seq desc) = 1",
            [period_id],
        ).fetchall()
    return {r[0]: LastFile(r[0], r[1], r[2], r[3], int(r[4]), r[5]) for r in rows}
