"""The build database: connections and the tables the night writes (raw, quarantine, audit).

dbt owns ``staging``, ``intermediate`` and ``marts``; this module owns every other table: the
landing tables ingestion writes and the audit tables of the night (its runs, its quality
results). Their DDL lives here only and runs once per night (:func:`ensure_landing_tables`).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from core.private_files import PRIVATE_FILE_MODE, private_dir

# The build database holds names and birth years (Decree 13/2023): readable by the service's
# user only, whatever the umask (core.private_files).

LANDING_DDL = """
create schema if not exists raw;
create schema if not exists quarantine;
create schema if not exists audit;

create table if not exists audit.load_batches (
    batch_id varchar primary key,
    started_at timestamptz not null,
    finished_at timestamptz,
    n_files_seen integer,
    n_files_new integer
);

create table if not exists audit.file_loads (
    batch_id varchar not null,
    source_file varchar not null,
    sha256 varchar not null,
    archived_path varchar not null,
    arrival_seq bigint not null,
    status varchar not null,  -- accepted | partial | rejected | duplicate
    unit_code varchar,
    period_id varchar,
    rows_read integer not null,
    rows_loaded integer not null,
    rows_quarantined integer not null,
    n_errors integer not null,
    n_warnings integer not null,
    loaded_at timestamptz not null,
    primary key (source_file, sha256)
);

-- Inbox entries the loaders did not take (symlinks, FIFOs, devices, files over the size
-- limit, copies that failed: ENOSPC): one row per entry as it stands, so that the run summary
-- names it the night it appears and not again every night.
create table if not exists audit.inbox_skips (
    loader varchar not null,  -- submissions | dti
    source_file varchar not null,
    reason varchar not null,
    size_bytes bigint not null,
    mtime_ns bigint not null,
    batch_id varchar not null,
    skipped_at timestamptz not null,
    primary key (loader, source_file, reason, size_bytes, mtime_ns)
);

-- What the operator needs when a file could not be read at all (a crashed or killed reader, a
-- time-out, an unexpected exception): the file is rejected with a code in audit.file_loads and
-- the traceback is kept here.
create table if not exists audit.file_errors (
    batch_id varchar not null,
    loader varchar not null,  -- submissions | dti
    source_file varchar not null,
    sha256 varchar not null,
    code varchar not null,
    detail varchar not null,
    traceback varchar,
    recorded_at timestamptz not null
);

create table if not exists audit.problems (
    sha256 varchar not null,
    source_file varchar not null,
    code varchar not null,
    severity varchar not null,
    scope varchar not null,
    sheet varchar,
    row_number integer,
    column_label varchar,
    value varchar,
    message_vi varchar not null,
    message_en varchar not null,
    fix_vi varchar not null,
    fix_en varchar not null
);

create table if not exists raw.submissions (
    sha256 varchar primary key,
    unit_code varchar not null,
    unit_name varchar,
    unit_type varchar,
    unit_level varchar,
    period_id varchar not null,
    has_dx_focal_point boolean,
    focal_point_decision_ref varchar,
    community_teams integer,
    community_team_members integer,
    community_team_members_trained integer,
    prepared_by varchar,
    submitted_on date,
    template_version varchar not null,
    source_file varchar not null,
    sheet varchar not null,
    arrival_seq bigint not null,
    loaded_at timestamptz not null,
    batch_id varchar not null
);

create table if not exists raw.staff_rows (
    sha256 varchar not null,
    sheet varchar not null,
    row_number integer not null,
    row_no integer,
    person_key varchar not null,
    full_name varchar,
    birth_year integer,
    gender varchar,
    position_title varchar,
    job_position varchar,
    assignment varchar,
    education_level varchar,
    field_of_study varchar,
    trainings_in_period integer,
    dx_network_member boolean,
    incident_response_member boolean,
    platform_access boolean,
    note varchar,
    extras json,
    source_file varchar not null,
    loaded_at timestamptz not null,
    batch_id varchar not null,
    primary key (sha256, sheet, row_number)
);

create table if not exists raw.reporting_units (
    unit_id varchar not null,
    unit_name varchar not null,
    unit_type varchar not null,
    unit_level varchar not null,
    province_code varchar not null,
    province_name varchar not null,
    parent_unit_id varchar,
    valid_from date not null,
    valid_to date,
    source varchar not null,
    primary key (unit_id, valid_from)
);

-- What each unit version became and came from (ingest/lineage.py), refreshed with the registry.
create table if not exists raw.unit_lineage (
    predecessor_unit_id varchar not null,
    predecessor_valid_from date not null,
    successor_unit_id varchar not null,
    successor_valid_from date not null,
    event_kind varchar not null,
    effective_date date not null,
    resolution varchar not null,
    is_filing_successor boolean not null,
    source varchar not null,
    primary key (
        predecessor_unit_id, predecessor_valid_from, successor_unit_id, successor_valid_from
    )
);

-- Unit versions with no reporting duty (reference/reporting_duty.csv), refreshed with the registry.
create table if not exists raw.reporting_exemptions (
    unit_id varchar not null,
    valid_from date not null,
    reason_vi varchar not null,
    source varchar not null,
    primary key (unit_id, valid_from)
);

-- National DTI publications (DESIGN §3.3): one row per file, one row per province and year.
create table if not exists raw.dti_publications (
    publication_id varchar primary key,  -- the file's identity (ingest.loader.identity)
    source_file varchar not null,
    file_format varchar not null,  -- html | xlsx | csv
    year integer not null,
    basis integer not null,  -- 63 or 34 provinces
    is_partial boolean not null,
    n_rows integer not null,
    source varchar,
    arrival_seq bigint not null,
    loaded_at timestamptz not null,
    batch_id varchar not null
);

create table if not exists raw.dti_scores (
    publication_id varchar not null,
    row_number integer not null,
    year integer not null,
    basis integer not null,
    province_name_printed varchar not null,
    province_id varchar not null,  -- official code within the basis (63-list or 34-list)
    province_name varchar not null,  -- official name within the basis
    rank integer,
    n_ranked integer,
    dti double,
    nhan_thuc_so double,
    the_che_so double,
    ha_tang_so double,
    nhan_luc_so double,
    an_toan_thong_tin_mang double,
    hoat_dong_chinh_quyen_so double,
    hoat_dong_kinh_te_so double,
    hoat_dong_xa_hoi_so double,
    tru_cot_chinh_quyen_so double,
    hang_chinh_quyen_so integer,
    tru_cot_kinh_te_so double,
    hang_kinh_te_so integer,
    tru_cot_xa_hoi_so double,
    hang_xa_hoi_so integer,
    source varchar,
    loaded_at timestamptz not null,
    batch_id varchar not null,
    source_table varchar,  -- lineage: sheet name or page table where the row was printed
    source_row integer,  -- lineage: row within that sheet/table (1-based, header included)
    primary key (publication_id, row_number)
);

-- Provinces of each basis and the 63 -> 34 crosswalk (effective 2025-07-01), from
-- vietnamadminunits; refreshed every night like the unit registry.
create table if not exists raw.provinces (
    province_id varchar not null,
    province_name varchar not null,
    basis integer not null,
    valid_from date,
    valid_to date,
    primary key (province_id, basis)
);

create table if not exists raw.province_crosswalk (
    legacy_province_id varchar primary key,
    legacy_province_name varchar not null,
    province_id varchar not null,
    province_name varchar not null,
    effective_date date not null
);

-- DTI methodology frameworks (which years are comparable) and published national means,
-- loaded from ingest/dti/reference each night.
create table if not exists raw.dti_methodology (
    framework_id varchar primary key,
    year_from integer not null,
    year_to integer,
    decision varchar not null,
    issued_by varchar not null,
    n_main_indices integer,
    has_weighted_formula boolean not null,
    note varchar not null
);

create table if not exists raw.dti_national_means (
    year integer primary key,
    mean_dti double not null,
    source varchar not null
);

-- Each DTI file once per (path, content): status is a FileStatus (accepted | partial | rejected
-- | duplicate); rows_read = rows_loaded + rows_quarantined.
create table if not exists audit.dti_file_loads (
    batch_id varchar not null,
    source_file varchar not null,
    sha256 varchar not null,
    archived_path varchar not null,
    archived_sidecar varchar,  -- the archived .meta.json read with the file, if any
    arrival_seq bigint not null,
    status varchar not null,
    file_format varchar not null,
    year integer,
    basis integer,
    is_partial boolean,
    year_evidence varchar,
    basis_evidence varchar,
    rows_read integer not null,
    rows_loaded integer not null,
    rows_quarantined integer not null,
    n_errors integer not null,
    n_warnings integer not null,
    loaded_at timestamptz not null,
    primary key (source_file, sha256)
);

-- Every finding of the named DTI checks (errors, warnings such as FORMULA_RESIDUAL, info).
create table if not exists audit.dti_problems (
    sha256 varchar not null,
    source_file varchar not null,
    check_code varchar not null,
    severity varchar not null,  -- error | warning | info
    scope varchar not null,  -- file | row
    table_name varchar,
    row_number integer,
    column_label varchar,
    value varchar,
    province_id varchar,
    message_vi varchar not null,
    message_en varchar not null,
    fix_vi varchar not null,
    fix_en varchar not null
);

create table if not exists quarantine.dti_files (
    sha256 varchar not null,
    source_file varchar not null,
    error_codes varchar not null,
    message_vi varchar not null,
    message_en varchar not null,
    batch_id varchar not null,
    quarantined_at timestamptz not null,
    primary key (source_file, sha256)
);

create table if not exists quarantine.dti_rows (
    sha256 varchar not null,
    source_file varchar not null,
    table_name varchar not null,
    row_number integer not null,
    province_name_printed varchar,
    raw_values json not null,
    error_codes varchar not null,
    message_vi varchar not null,
    message_en varchar not null,
    candidates varchar,  -- closest official names, for a person to choose from
    batch_id varchar not null,
    quarantined_at timestamptz not null,
    primary key (sha256, table_name, row_number)
);

create table if not exists quarantine.files (
    sha256 varchar not null,
    source_file varchar not null,
    error_codes varchar not null,
    message_vi varchar not null,
    message_en varchar not null,
    batch_id varchar not null,
    quarantined_at timestamptz not null,
    primary key (source_file, sha256)
);

create table if not exists quarantine.rows (
    sha256 varchar not null,
    source_file varchar not null,
    sheet varchar not null,
    row_number integer not null,
    raw_values json not null,
    error_codes varchar not null,
    message_vi varchar not null,
    message_en varchar not null,
    batch_id varchar not null,
    quarantined_at timestamptz not null,
    primary key (sha256, sheet, row_number)
);

-- Databases made before DTI files kept their archived sidecar (for the archive index).
alter table audit.dti_file_loads add column if not exists archived_sidecar varchar;
"""


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the database; read-only connections never create the file."""
    if not read_only and not path.parent.exists():
        private_dir(path.parent)  # a new folder is private; publish opens its own on purpose
    return duckdb.connect(str(path), read_only=read_only)


@contextmanager
def session(path: Path, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection that is always closed, so the next step (or dbt) can take the lock."""
    con = connect(path, read_only=read_only)
    try:
        yield con
    finally:
        con.close()


# What the night records about itself: one row per run (its summary), and the quality
# results of the expectations (one row per expectation per run; the row counts they compare).
AUDIT_DDL = """
create schema if not exists audit;
create table if not exists audit.pipeline_runs (
    run_id varchar not null,
    finished_at timestamptz not null,
    status varchar not null,
    summary json not null
);
create table if not exists audit.dq_results (
    run_id varchar not null,
    validated_at timestamptz not null,
    suite varchar not null,
    expectation varchar not null,
    column_name varchar,
    severity varchar not null,
    success boolean not null,
    observed_value varchar,
    unexpected_count bigint,
    element_count bigint
);
alter table audit.dq_results add column if not exists rule varchar;
alter table audit.dq_results add column if not exists error_message varchar;
create table if not exists audit.dq_row_counts (
    run_id varchar not null,
    counted_at timestamptz not null,
    table_name varchar not null,
    n_rows bigint not null,
    is_baseline boolean not null
);
"""
# The tables' shape as this code knows it: the DDL runs again only when it changed (or on a
# new database), not at every step that writes.
SCHEMA_MARK = hashlib.sha256((LANDING_DDL + AUDIT_DDL).encode("utf-8")).hexdigest()[:16]


def schema_mark(con: duckdb.DuckDBPyConnection) -> str | None:
    """The mark of the DDL last run on this database (``None``: never, or before marks)."""
    found = con.execute(
        "select count(*) from duckdb_tables() where database_name = current_database() "
        "and schema_name = 'audit' and table_name = 'schema_mark'"
    ).fetchone()
    if not found or not found[0]:
        return None
    row = con.execute("select max(mark) from audit.schema_mark").fetchone()
    return str(row[0]) if row and row[0] is not None else None


def create_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Run every DDL statement of the build database's own tables, then mark it as run."""
    con.execute(LANDING_DDL)
    con.execute(AUDIT_DDL)
    con.execute(
        "create or replace table audit.schema_mark as select ?::varchar as mark", [SCHEMA_MARK]
    )


def ensure_landing_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the landing and audit tables unless this database already has them as this
    code defines them, and make the database file holding them (and its folder) readable by
    the service's user only: they hold names and birth years, whatever the umask.
    DuckDB creates its files with the process umask (077 in dxwh's processes); one created
    under a wider umask sits in the 0700 folder and is tightened here. The published
    warehouse, opened with the same helpers, keeps its own modes."""
    if schema_mark(con) != SCHEMA_MARK:
        create_tables(con)
    row = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()
    if row and row[0]:
        path = Path(row[0])
        private_dir(path.parent)
        for file in (path, path.with_name(path.name + ".wal")):
            if file.exists():
                os.chmod(file, PRIVATE_FILE_MODE)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Everything written inside the block is committed together, or rolled back on any error.

    The one transaction helper of both loaders: a batch killed half-way leaves nothing of it
    visible.
    """
    con.execute("begin")
    try:
        yield con
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


# Rows as one tuple each, under one tuple of column names: the one row format both loaders'
# workers hand back. Concatenating such blocks is one list extend per block, where columns took
# one per block and column (1.7 s of a national night's loader, against 0.3 s).
Block = tuple[tuple[str, ...], list[tuple[object, ...]]]


def to_block(records: Sequence[Mapping[str, object]]) -> Block:
    """Records (dicts keyed by column name) as a block; a key missing from a record is NULL."""
    names = tuple(dict.fromkeys(name for record in records for name in record))
    return names, [tuple(record.get(name) for name in names) for record in records]


def block_frame(block: Block) -> pd.DataFrame:
    """A block as a DataFrame (``object`` columns: ``None`` stays NULL, integers integers)."""
    names, rows = block
    return pd.DataFrame(rows, columns=list(names), dtype=object)


def append_blocks(con: duckdb.DuckDBPyConnection, table: str, blocks: Sequence[Block]) -> int:
    """Append blocks to ``table`` by column name, one DataFrame scan per set of columns;
    returns the row count."""
    rows_by_names: dict[tuple[str, ...], list[tuple[object, ...]]] = {}
    for names, rows in blocks:
        rows_by_names.setdefault(names, []).extend(rows)
    return sum(
        _append_frame(con, table, block_frame((names, rows)))
        for names, rows in rows_by_names.items()
        if rows
    )


def append_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    rows: Sequence[Mapping[str, object]] | Mapping[str, Sequence[object]],
) -> int:
    """Append rows to ``table`` by column name, as one DataFrame scan; returns the row count.

    ``rows`` is a list of records or a column → values mapping. Columns the table has and the
    rows do not are NULL (or their default). ``object`` columns keep ``None`` as NULL and
    integers as integers. DuckDB's ``executemany`` runs one statement per row: several times
    slower than handing it a DataFrame.
    """
    return _append_frame(con, table, pd.DataFrame(rows, dtype=object))


def _append_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> int:
    if frame.empty:
        return 0
    con.register("_append_frame", frame)
    try:
        columns = ", ".join(f'"{c}"' for c in frame.columns)
        con.execute(f"insert into {table} ({columns}) select {columns} from _append_frame")
    finally:
        con.unregister("_append_frame")
    return len(frame)
