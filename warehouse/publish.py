"""Publish the marts as a read-only snapshot for analysts and BI tools, and roll it back.

Each publish writes a complete new version (the DuckDB file with the marts and the analyst
views, Parquet exports with a manifest, the dbt docs, a Superset import bundle) beside the
published area, verifies it, and only then makes it current (see
:mod:`warehouse.published_versions`): a reader never sees a half-written file, and a reader
holding the old file keeps reading it until it reconnects.
The file is written in an older storage version so that BI drivers bundling DuckDB 1.1+ can
open it. The last few versions are kept so that ``dxwh publish --rollback`` can go back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from core.db import session
from core.private_files import READABLE_DIR_MODE, make_readable
from core.settings import Settings
from warehouse import superset_bundle
from warehouse.analyst_views import ANALYST_SCHEMA, AnalystView, load_views
from warehouse.documentation import MANIFEST_NAME, document_published, read_dbt_docs, view_docs
from warehouse.local_time import LOCAL_TIME_NOTE, local_time_sql
from warehouse.parquet_export import export_parquet
from warehouse.published_docs import write_published_docs
from warehouse.published_labels import code_label_rows, target_status_rows, write_labels
from warehouse.published_versions import (
    DB_NAME,
    KEEP_VERSIONS,
    current_version,
    list_versions,
    make_current,
    new_version_id,
    prune,
    remove_leftovers,
    versions_dir,
)
from warehouse.quality import copy_quality
from warehouse.superset_bundle import write_bundle

PUBLISHED_SCHEMAS = ("marts",)
# Published reference data that no mart carries (non-personal): the published national DTI
# means and the plan's targets in their Vietnamese wording. Each table is always published,
# empty when the build has none, so that views and dashboards built on it keep working.
REFERENCE_SCHEMA = "reference"
REFERENCE_TABLES = {
    "dti_national_means": (
        "raw.dti_national_means",
        "year integer, mean_dti double, source varchar",
    ),
    "plan_targets": (
        "seeds.plan_targets",
        "target_id varchar, target_vi varchar, target_en varchar, target_vi_two_level varchar, "
        "target_en_two_level varchar, metric_en varchar, metric varchar, threshold_rule varchar, "
        "threshold_value double, deadline_date date, baseline_period_id varchar, "
        "scheme_ref varchar, scheme_date date, scheme_source varchar, "
        "plan_ref varchar, plan_date date, plan_source varchar",
    ),
}
# published reference table -> the build relation it is copied from (and documented as)
REFERENCE_SOURCES = {f"{REFERENCE_SCHEMA}.{n}": s for n, (s, _) in REFERENCE_TABLES.items()}
STORAGE_VERSION = "v1.1.0"
# Marts once published under other names: the old name stays a view of the mart, for readers'
# saved queries and dashboards, until the last publish on this date (docs/warehouse.md).
OLD_NAMES = {
    "marts.province_scorecard": "marts.fct_province_scorecard",
    "marts.province_crosswalk": "marts.dim_province_crosswalk",
}
OLD_NAMES_UNTIL = dt.date(2027, 6, 30)
# Column names that only raw personal data carries: their presence means a model leaked it.
PERSONAL_COLUMNS = frozenset({"full_name", "birth_year", "prepared_by", "person_key"})
# Beside each version's dx.duckdb: the digest of what it was published from (see content_digest).
CONTENT_FILE = "content.sha256"


@dataclass(frozen=True)
class PublishResult:
    path: Path
    tables: dict[str, int]  # "schema.table" -> rows
    published_at: dt.datetime
    version: str = ""
    views: list[str] = field(default_factory=list)
    parquet_dir: Path | None = None
    docs_published: bool = False
    pruned: list[str] = field(default_factory=list)
    # True when the build's content equalled the current version's: nothing new was written
    unchanged: bool = False


def _tables(
    con: duckdb.DuckDBPyConnection, catalog: str, schemas: tuple[str, ...]
) -> list[tuple[str, str]]:
    placeholders = ",".join("?" for _ in schemas)
    rows = con.execute(
        "select table_schema, table_name from information_schema.tables "
        f"where table_catalog = ? and table_schema in ({placeholders}) "
        "and table_type = 'BASE TABLE' order by 1, 2",
        [catalog, *schemas],
    ).fetchall()
    return [(str(s), str(t)) for s, t in rows]


def _copy_marts(build_db: Path, target: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    with duckdb.connect() as con:
        con.execute(f"attach '{build_db}' as build (read_only)")
        con.execute(f"attach '{target}' as pub (storage_version '{STORAGE_VERSION}')")
        # a build database from before a rename still holds the old table (dbt never drops a
        # relation it no longer builds): the old name is published as a view of the new one
        tables = [
            (schema, table)
            for schema, table in _tables(con, "build", PUBLISHED_SCHEMAS)
            if f"{schema}.{table}" not in OLD_NAMES
        ]
        if not tables:
            raise RuntimeError("nothing to publish: the build database has no marts yet")
        leaked = con.execute(
            "select table_schema || '.' || table_name || '.' || column_name "
            "from information_schema.columns where table_catalog = 'build' "
            f"and table_schema in ({','.join('?' for _ in PUBLISHED_SCHEMAS)}) "
            f"and column_name in ({','.join('?' for _ in PERSONAL_COLUMNS)})",
            [*PUBLISHED_SCHEMAS, *sorted(PERSONAL_COLUMNS)],
        ).fetchall()
        if leaked:
            names = ", ".join(str(c) for (c,) in leaked)
            raise RuntimeError(f"refusing to publish personal data columns: {names}")
        for schema in PUBLISHED_SCHEMAS:
            con.execute(f"create schema if not exists pub.{schema}")
        for schema, table in tables:
            con.execute(
                f'create table pub.{schema}."{table}" as '
                f'select {_local_times(con, schema, table)} from build.{schema}."{table}"'
            )
            row = con.execute(f'select count(*) from build.{schema}."{table}"').fetchone()
            counts[f"{schema}.{table}"] = int(row[0]) if row else 0
        counts.update(_copy_reference(con))
        counts.update(write_labels(con, "pub"))
        counts.update(copy_quality(con, source="build", target="pub"))
        con.execute("detach pub")
        con.execute("detach build")
    return counts


def _zoned_columns(
    con: duckdb.DuckDBPyConnection, schema: str, table: str, catalog: str = "build"
) -> list[str]:
    return [
        str(name)
        for (name,) in con.execute(
            "select column_name from duckdb_columns() where database_name = ? "
            "and schema_name = ? and table_name = ? and data_type = 'TIMESTAMP WITH TIME ZONE' "
            "order by column_index",
            [catalog, schema, table],
        ).fetchall()
    ]


def _quoted(column: str) -> str:
    return f'"{column}"'


def _local_times(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> str:
    """The select list that publishes each ``timestamptz`` column as Vietnam's local time.

    A BI driver reflects ``timestamptz`` as a naive timestamp and shows it in the BI server's
    own zone, so a filter on "07/01 from 00:00" would depend on where the server runs; a local
    time with the zone named in its comment (see :data:`LOCAL_TIME_NOTE`) reads the same
    everywhere.
    """
    zoned = _zoned_columns(con, schema, table)
    if not zoned:
        return "*"
    converted = ", ".join(f"{local_time_sql(_quoted(c))} as {_quoted(c)}" for c in zoned)
    return f"* replace ({converted})"


def _published_local_times(build_db: Path) -> list[tuple[str, str, str]]:
    """``(schema, table, column)`` of every column :func:`_local_times` converts."""
    with duckdb.connect() as con:
        con.execute(f"attach '{build_db}' as build (read_only)")
        return [
            (schema, table, column)
            for schema, table in _tables(con, "build", PUBLISHED_SCHEMAS)
            for column in _zoned_columns(con, schema, table)
        ]


def _note_local_times(target: Path, columns: Sequence[tuple[str, str, str]]) -> None:
    """Say in each published local-time column's comment which zone it is in."""
    with session(target) as con:
        for schema, table, column in columns:
            row = con.execute(
                "select comment from duckdb_columns() where database_name = current_database() "
                "and schema_name = ? and table_name = ? and column_name = ?",
                [schema, table, column],
            ).fetchone()
            comment = row[0] if row else None
            text = f"{comment} {LOCAL_TIME_NOTE}" if comment else LOCAL_TIME_NOTE
            quoted = text.replace("'", "''")
            con.execute(f'comment on column {schema}."{table}"."{column}" is \'{quoted}\'')
        con.execute("checkpoint")


def _copy_reference(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    counts: dict[str, int] = {}
    con.execute(f"create schema if not exists pub.{REFERENCE_SCHEMA}")
    for name, (source, columns) in REFERENCE_TABLES.items():
        schema, table = source.split(".")
        target = f"pub.{REFERENCE_SCHEMA}.{name}"
        con.execute(f"create table {target} ({columns})")
        if (schema, table) in _tables(con, "build", (schema,)):
            names = ", ".join(c.split()[0] for c in columns.split(","))
            con.execute(f"insert into {target} select {names} from build.{schema}.{table}")
        row = con.execute(f"select count(*) from {target}").fetchone()
        counts[f"{REFERENCE_SCHEMA}.{name}"] = int(row[0]) if row else 0
    return counts


def _create_views(target: Path, views: Sequence[AnalystView]) -> None:
    if not views:
        return
    # opened directly (not attached) so that the views' unqualified names bind to this file
    with session(target) as con:
        con.execute(f"create schema if not exists {ANALYST_SCHEMA}")
        pending = list(views)
        while pending:  # a view reading another view waits until that one exists
            failed: list[tuple[AnalystView, duckdb.Error]] = []
            for view in pending:
                try:
                    con.execute(f"create view {view.qualified_name} as\n{view.sql}")
                except duckdb.Error as exc:
                    failed.append((view, exc))
                    continue
                quoted = view.description.replace("'", "''")
                con.execute(f"comment on view {view.qualified_name} is '{quoted}'")
            if len(failed) == len(pending):
                first, error = failed[0]
                raise RuntimeError(f"analyst view {first.name} does not build: {error}") from error
            pending = [view for view, _ in failed]
        con.execute("checkpoint")


def _create_old_names(target: Path, published_on: dt.date) -> list[str]:
    """The views that keep the marts' old names (:data:`OLD_NAMES`); return those created."""
    if published_on > OLD_NAMES_UNTIL:
        return []
    created: list[str] = []
    until = OLD_NAMES_UNTIL.strftime("%d/%m/%Y")
    with session(target) as con:
        for old, new in OLD_NAMES.items():
            schema, table = new.split(".")
            columns = con.execute(
                "select column_name, comment from duckdb_columns() where database_name = "
                "current_database() and schema_name = ? and table_name = ? order by column_index",
                [schema, table],
            ).fetchall()
            if not columns:
                continue
            con.execute(f"create view {old} as select * from {new}")
            note = (
                f"Tên cũ của {new}, giữ đến {until}: hãy dùng {new} — Old name of {new}, "
                f"kept until {OLD_NAMES_UNTIL.isoformat()}: use {new}."
            )
            con.execute(f"comment on view {old} is '{note}'")
            for column, comment in columns:
                if comment:
                    quoted = str(comment).replace("'", "''")
                    con.execute(f"comment on column {old}.\"{column}\" is '{quoted}'")
            created.append(old)
        con.execute("checkpoint")
    return created


def _verify(target: Path, counts: dict[str, int], views: Sequence[AnalystView]) -> None:
    with session(target, read_only=True) as con:
        for name, expected in counts.items():
            schema, table = name.split(".")
            found = con.execute(f'select count(*) from {schema}."{table}"').fetchone()
            if found is None or found[0] != expected:
                raise RuntimeError(
                    f"published copy of {name} has {found} rows, expected {expected}"
                )
        for view in views:
            con.execute(f"select count(*) from {view.qualified_name}").fetchone()


def content_digest(build_db: Path, views: Sequence[AnalystView]) -> tuple[str, dict[str, int]]:
    """A digest of everything a publish copies from the build, and each table's row count.

    Per table: its name, columns and types, row count and the sum of its rows' hashes (row
    order does not matter); per analyst view: its name, SQL, description and column docs; the
    scorecard's wording of the codes (``reference.code_labels`` and
    ``reference.target_status_labels``); and the code that writes the Superset bundle (a new
    layout is republished on the same data).
    The docs site and the quality tables are left out of the digest: the docs are regenerated
    every night with a new timestamp, and a validation of the same data differs only in its run
    id and time. The quality tables are counted, as a publish would write them.
    """
    digest = hashlib.sha256()
    counts: dict[str, int] = {}
    with duckdb.connect() as con:
        con.execute(f"attach '{build_db}' as build (read_only)")
        sources = [
            (f"{s}.{t}", f'build.{s}."{t}"') for s, t in _tables(con, "build", PUBLISHED_SCHEMAS)
        ]
        for name, (source, _) in REFERENCE_TABLES.items():
            schema, table = source.split(".")
            if (schema, table) in _tables(con, "build", (schema,)):
                sources.append((f"{REFERENCE_SCHEMA}.{name}", f"build.{source}"))
            else:  # published empty (see _copy_reference)
                counts[f"{REFERENCE_SCHEMA}.{name}"] = 0
                digest.update(f"{REFERENCE_SCHEMA}.{name}|absent\n".encode())
        for name, relation in sources:
            columns = con.execute(
                f"select column_name, column_type from (describe {relation})"
            ).fetchall()
            row = con.execute(
                f"select count(*), coalesce(sum(hash(t)::hugeint), 0)::varchar from {relation} as t"
            ).fetchone()
            n_rows = int(row[0]) if row else 0
            counts[name] = n_rows
            digest.update(f"{name}|{columns}|{n_rows}|{row[1] if row else ''}\n".encode())
        con.execute("attach ':memory:' as pub")
        counts.update(write_labels(con, "pub"))
        counts.update(copy_quality(con, source="build", target="pub"))
    # the scorecard's wording of the codes (reference.code_labels …) is published content too
    digest.update(f"labels|{code_label_rows()}|{target_status_rows()}\n".encode())
    for view in views:
        digest.update(
            f"view {view.qualified_name}|{view.sql}|{view.description}|{view.columns}\n".encode()
        )
    # a new bundle layout (the code that writes it) is new content, even on the same data
    digest.update(b"superset bundle|" + Path(superset_bundle.__file__).read_bytes())
    return digest.hexdigest(), counts


def _current_digest(published_dir: Path) -> tuple[str, str] | None:
    version = current_version(published_dir)
    if version is None:
        return None
    stored = versions_dir(published_dir) / version / CONTENT_FILE
    if not stored.is_file() or not (versions_dir(published_dir) / version / DB_NAME).is_file():
        return None
    return version, stored.read_text(encoding="utf-8").strip()


def publish(
    settings: Settings,
    *,
    views: Sequence[AnalystView] | None = None,
    keep: int = KEEP_VERSIONS,
) -> PublishResult:
    """Publish the build's marts (and the analyst views) as a new current version.

    ``views`` defaults to every query of ``warehouse/queries/``; a view that does not build
    fails the publish and the previous version stays current. When the build holds exactly
    what the current version was published from, no version is written (``unchanged``): a
    quiet night must not push a meaningful version out of the rollback window.
    """
    remove_leftovers(settings.published_dir)  # what killed publishes left behind
    views = load_views() if views is None else views
    digest, counts = content_digest(settings.build_db, views)
    current = _current_digest(settings.published_dir)
    if current is not None and current[1] == digest:
        version = current[0]
        return PublishResult(
            path=settings.published_db,
            tables=counts,
            published_at=dt.datetime.strptime(version, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=dt.UTC),
            version=version,
            views=[v.qualified_name for v in views],
            parquet_dir=settings.published_dir / "parquet",
            docs_published=(settings.published_dir / "docs" / "index.html").is_file(),
            unchanged=True,
        )
    published_at = dt.datetime.now(dt.UTC)
    version = new_version_id(published_at)
    root = versions_dir(settings.published_dir)
    staging = root / f".{version}.{os.getpid()}.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        db = staging / DB_NAME
        counts = _copy_marts(settings.build_db, db)
        _create_views(db, views)
        document_published(
            db,
            settings.dbt_target_dir / MANIFEST_NAME,
            list(counts),
            sources=REFERENCE_SOURCES,
            views=views,
        )
        _note_local_times(db, _published_local_times(settings.build_db))
        _create_old_names(db, published_at.date())
        _verify(db, counts, views)
        with session(db, read_only=True) as con:
            export_parquet(
                con,
                [*counts, *(view.qualified_name for view in views)],
                staging / "parquet",
                version=version,
                published_at=published_at,
            )
            write_bundle(
                con,
                settings.published_db,
                staging / "superset",
                published_at=published_at,
                exclude=frozenset(OLD_NAMES),
            )
            docs = write_published_docs(
                con,
                settings.docs_dir / "dbt",
                staging / "docs",
                schemas=PUBLISHED_SCHEMAS,
                sources=REFERENCE_SOURCES,
                views=views,
                view_docs=view_docs(
                    views,
                    read_dbt_docs(settings.docs_dir / "dbt" / MANIFEST_NAME),
                    sources=REFERENCE_SOURCES,
                ),
            )
        (staging / CONTENT_FILE).write_text(digest + "\n", encoding="utf-8")
        # readers must open it read-only; a read-write open would write into every link
        db.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        # written under dxwh's private umask: opened to readers on purpose, before it is a version
        make_readable(staging)
        os.chmod(root, READABLE_DIR_MODE)
        os.rename(staging, root / version)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    target = make_current(settings.published_dir, version)
    pruned = prune(settings.published_dir, keep)
    return PublishResult(
        path=target,
        tables=counts,
        published_at=published_at,
        version=version,
        views=[v.qualified_name for v in views],
        parquet_dir=settings.published_dir / "parquet",
        docs_published=docs,
        pruned=pruned,
    )


@dataclass(frozen=True)
class RollbackResult:
    path: Path
    from_version: str
    to_version: str


def rollback(settings: Settings) -> RollbackResult:
    """Make the version before the current one current again (atomically, like a publish)."""
    published = settings.published_dir
    current = current_version(published)
    if current is None:
        raise RuntimeError(f"nothing has been published in {published} yet")
    older = [v for v in list_versions(published) if v < current]
    if not older:
        raise RuntimeError(
            f"no published version older than {current} is kept in {versions_dir(published)}"
        )
    previous = older[-1]
    # refuse to roll back onto a file that does not open
    with session(versions_dir(published) / previous / DB_NAME, read_only=True) as con:
        con.execute("select count(*) from information_schema.tables").fetchone()
    path = make_current(published, previous)
    return RollbackResult(path=path, from_version=current, to_version=previous)
