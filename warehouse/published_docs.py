"""The dbt docs site of the published warehouse: what is published, under its published names.

The build's ``dbt docs generate`` documents the private build file (``dx_build.marts.…``) with
its staging, intermediate and source models, and knows nothing of the analyst views. Readers
need the opposite, so each publish rewrites the site for the version it publishes:

- only the published relations stay: the marts, the reference tables (published from a seed
  and a source under other names) and the marts' data tests; staging, intermediate and other
  sources, seeds and unit tests go;
- every relation is named as readers open it: database ``dx`` (the published file's name),
  its published schema and name;
- each analyst view is added as a model of the ``analyst`` schema, with its SQL, its
  description, its columns' descriptions, and lineage to the marts it reads;
- every other published table that dbt does not build (``reference.dti_national_means``, the
  scorecard's wording of the codes, the quality tables) is added as a source named after its
  schema, described by the published file's own comments;
- the catalog (types, comments) is read from the published file itself.

``manifest.json`` and ``catalog.json`` are written beside dbt's single-file page, whose data is
inlined the way ``dbt docs generate --static`` does it, into ``static_index.html`` and
``index.html`` (the page that opens from disk).
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import duckdb

from warehouse.analyst_views import ANALYST_SCHEMA, AnalystView
from warehouse.documentation import TableDoc

DATABASE = "dx"  # what a reader's DuckDB calls the published file dx.duckdb
PAGES = ("index.html", "static_index.html")
_RELATION = re.compile(r"\b(marts|reference|analyst)\.([a-z_][a-z0-9_]*)\b")


def _template() -> str:
    """dbt's docs page template, the one ``dbt docs generate --static`` fills."""
    spec = importlib.util.find_spec("dbt.task.docs")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("dbt's docs page template (dbt.task.docs) is not installed")
    return (Path(next(iter(spec.submodule_search_locations))) / "index.html").read_text(
        encoding="utf-8"
    )


def _private(node: dict[str, Any]) -> dict[str, Any]:
    """A node without its compiled SQL, which names the build file's private relations."""
    return {**node, "database": DATABASE, "compiled_code": None, "compiled_path": None}


def _rename(node: dict[str, Any], schema: str, name: str) -> dict[str, Any]:
    return {
        **_private(node),
        "database": DATABASE,
        "schema": schema,
        "alias": name,
        "identifier": name,
        "relation_name": f'"{DATABASE}"."{schema}"."{name}"',
    }


def _published_ids(
    manifest: Mapping[str, Any], schemas: Iterable[str], sources: Mapping[str, str]
) -> dict[str, tuple[str, str]]:
    """unique_id -> (published schema, published name) of every published dbt relation."""
    by_build_name = {build: published for published, build in sources.items()}
    found: dict[str, tuple[str, str]] = {}
    for key in ("nodes", "sources"):
        for uid, node in (manifest.get(key) or {}).items():
            name = node.get("alias") or node.get("identifier") or node.get("name")
            build = f"{node.get('schema')}.{name}"
            if build in by_build_name:
                schema, published = by_build_name[build].split(".")
                found[uid] = (schema, published)
            elif node.get("resource_type") == "model" and node.get("schema") in schemas:
                found[uid] = (str(node["schema"]), str(name))
    return found


def _extra_source(name: str, comment: str, columns: Mapping[str, str]) -> dict[str, Any]:
    """A published table dbt does not know, as a dbt source node of its schema."""
    schema, table = name.split(".")
    path = "warehouse/publish.py"
    return {
        "database": DATABASE,
        "schema": schema,
        "name": table,
        "resource_type": "source",
        "package_name": "dxwh",
        "path": path,
        "original_file_path": path,
        "unique_id": f"source.dxwh.{schema}.{table}",
        "fqn": ["dxwh", schema, table],
        "source_name": schema,
        "source_description": "",
        "loader": "dxwh publish",
        "identifier": table,
        "alias": table,
        "quoting": {"database": None, "schema": None, "identifier": None, "column": None},
        "loaded_at_field": None,
        "loaded_at_query": None,
        "freshness": None,
        "external": None,
        "description": comment,
        "columns": {
            column: {"name": column, "description": text, "meta": {}, "tags": []}
            for column, text in columns.items()
        },
        "meta": {},
        "source_meta": {},
        "tags": [],
        "config": {"enabled": True},
        "patch_path": None,
        "unrendered_config": {},
        "relation_name": f'"{DATABASE}"."{schema}"."{table}"',
        "created_at": 0.0,
        "unrendered_database": None,
        "unrendered_schema": schema,
        "doc_blocks": [],
    }


def published_tables(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, dict[str, str]]]:
    """Every table of the published file ``con`` opened: its comment and its columns'."""
    tables: dict[str, tuple[str, dict[str, str]]] = {}
    for schema, table, comment in con.execute(
        "select schema_name, table_name, coalesce(comment, '') from duckdb_tables() "
        "where database_name = current_database() order by 1, 2"
    ).fetchall():
        columns = con.execute(
            "select column_name, coalesce(comment, '') from duckdb_columns() "
            "where database_name = current_database() and schema_name = ? and table_name = ? "
            "order by column_index",
            [schema, table],
        ).fetchall()
        tables[f"{schema}.{table}"] = (str(comment), {str(c): str(t) for c, t in columns})
    return tables


def _view_node(
    view: AnalystView, doc: TableDoc | None, ids_by_relation: Mapping[str, str]
) -> dict[str, Any]:
    uid = f"model.dxwh.{ANALYST_SCHEMA}__{view.name}"
    reads = sorted(
        {
            ids_by_relation[f"{s}.{n}"]
            for s, n in _RELATION.findall(view.sql)
            if f"{s}.{n}" in ids_by_relation
        }
    )
    columns = {
        name: {"name": name, "description": described.comment, "meta": {}, "tags": []}
        for name, described in (doc.columns.items() if doc else [])
    }
    path = f"warehouse/queries/{view.name}.sql"
    return {
        "unique_id": uid,
        "resource_type": "model",
        "package_name": "dxwh",
        "name": view.name,
        "alias": view.name,
        "database": DATABASE,
        "schema": ANALYST_SCHEMA,
        "relation_name": f'"{DATABASE}"."{ANALYST_SCHEMA}"."{view.name}"',
        "fqn": ["dxwh", ANALYST_SCHEMA, view.name],
        "path": path,
        "original_file_path": path,
        "patch_path": None,
        "description": view.description,
        "columns": columns,
        "meta": {},
        "tags": [],
        "docs": {"show": True, "node_color": None},
        "config": {"enabled": True, "materialized": "view", "tags": [], "meta": {}},
        "language": "sql",
        "raw_code": view.sql,
        "compiled_code": view.sql,
        "compiled": True,
        "depends_on": {"nodes": reads, "macros": []},
        "refs": [],
        "sources": [],
        "checksum": {"name": "none", "checksum": ""},
        "contract": {"enforced": False, "alias_types": True},
        "constraints": [],
        "access": "public",
        "version": None,
        "latest_version": None,
    }


def published_manifest(
    manifest: Mapping[str, Any],
    *,
    schemas: Iterable[str],
    sources: Mapping[str, str],
    views: Iterable[AnalystView],
    view_docs: Mapping[str, TableDoc],
    tables: Mapping[str, tuple[str, Mapping[str, str]]] | None = None,
) -> dict[str, Any]:
    """dbt's manifest restricted to the published relations, renamed, with the analyst views.

    ``tables`` are the published file's tables (:func:`published_tables`); those dbt does not
    build are added as sources, so that the page lists every published relation.
    """
    published = _published_ids(manifest, schemas, sources)
    nodes: dict[str, Any] = {}
    kept_sources: dict[str, Any] = {}
    for uid, (schema, name) in published.items():
        if uid in (manifest.get("sources") or {}):
            kept_sources[uid] = _rename(manifest["sources"][uid], schema, name)
        else:
            nodes[uid] = _rename(manifest["nodes"][uid], schema, name)
    known = {f"{schema}.{name}" for schema, name in published.values()}
    for name, (comment, columns) in (tables or {}).items():
        if name not in known and not name.startswith(f"{ANALYST_SCHEMA}."):
            node = _extra_source(name, comment, columns)
            kept_sources[node["unique_id"]] = node
            published[node["unique_id"]] = (node["schema"], node["name"])
    for uid, node in (manifest.get("nodes") or {}).items():
        parents = (node.get("depends_on") or {}).get("nodes") or []
        if node.get("resource_type") == "test" and parents and set(parents) <= published.keys():
            nodes[uid] = _private(node)
    ids_by_relation = {f"{s}.{n}": uid for uid, (s, n) in published.items()}
    for view in views:
        ids_by_relation[view.qualified_name] = f"model.dxwh.{ANALYST_SCHEMA}__{view.name}"
    for view in views:
        node = _view_node(view, view_docs.get(view.qualified_name), ids_by_relation)
        nodes[node["unique_id"]] = node
    every = {**nodes, **kept_sources}
    parent_map = {
        uid: [p for p in (node.get("depends_on") or {}).get("nodes") or [] if p in every]
        for uid, node in every.items()
    }
    child_map: dict[str, list[str]] = {uid: [] for uid in every}
    for uid, parents in parent_map.items():
        for parent in parents:
            child_map[parent].append(uid)
    return {
        **manifest,
        "nodes": nodes,
        "sources": kept_sources,
        "unit_tests": {},
        "exposures": {},
        "metrics": {},
        "semantic_models": {},
        "saved_queries": {},
        "disabled": {},
        "parent_map": parent_map,
        "child_map": {uid: sorted(children) for uid, children in child_map.items()},
        "group_map": {},
    }


def published_catalog(
    con: duckdb.DuckDBPyConnection, manifest: Mapping[str, Any]
) -> dict[str, Any]:
    """dbt's catalog of the published relations, read from the published file ``con`` opened."""
    entries: dict[str, dict[str, Any]] = {"nodes": {}, "sources": {}}
    for key in ("nodes", "sources"):
        for uid, node in (manifest.get(key) or {}).items():
            if node.get("resource_type") == "test":
                continue
            schema, name = node["schema"], node["alias"]
            row = con.execute(
                "select 'BASE TABLE', comment from duckdb_tables() where database_name = "
                "current_database() and schema_name = ? and table_name = ? union all "
                "select 'VIEW', comment from duckdb_views() where database_name = "
                "current_database() and schema_name = ? and view_name = ?",
                [schema, name, schema, name],
            ).fetchone()
            if row is None:
                continue
            columns = con.execute(
                "select column_name, data_type, column_index, comment from duckdb_columns() "
                "where database_name = current_database() and schema_name = ? "
                "and table_name = ? order by column_index",
                [schema, name],
            ).fetchall()
            entries[key][uid] = {
                "unique_id": uid,
                "metadata": {
                    "type": row[0],
                    "schema": schema,
                    "name": name,
                    "database": DATABASE,
                    "comment": row[1],
                    "owner": None,
                },
                "columns": {
                    str(c): {"type": str(t), "index": int(i), "name": str(c), "comment": comment}
                    for c, t, i, comment in columns
                },
                "stats": {
                    "has_stats": {
                        "id": "has_stats",
                        "label": "Has Stats?",
                        "value": False,
                        "include": False,
                        "description": "Indicates whether there are statistics for this table",
                    }
                },
            }
    return {
        "metadata": manifest.get("metadata") or {},
        "nodes": entries["nodes"],
        "sources": entries["sources"],
        "errors": None,
    }


def write_published_docs(
    con: duckdb.DuckDBPyConnection,
    build_docs: Path,
    out_dir: Path,
    *,
    schemas: Iterable[str],
    sources: Mapping[str, str],
    views: Iterable[AnalystView],
    view_docs: Mapping[str, TableDoc],
) -> bool:
    """Write the published docs site into ``out_dir``; False when the build wrote no docs."""
    manifest_file = build_docs / "manifest.json"
    if not manifest_file.is_file():
        return False
    manifest = published_manifest(
        json.loads(manifest_file.read_text(encoding="utf-8")),
        schemas=schemas,
        sources=sources,
        views=list(views),
        view_docs=view_docs,
        tables=published_tables(con),
    )
    catalog = published_catalog(con, manifest)
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest_json = json.dumps(manifest, ensure_ascii=False)
    catalog_json = json.dumps(catalog, ensure_ascii=False)
    (out_dir / "manifest.json").write_text(manifest_json, encoding="utf-8")
    (out_dir / "catalog.json").write_text(catalog_json, encoding="utf-8")
    page = (
        _template()
        .replace('"MANIFEST.JSON INLINE DATA"', manifest_json)
        .replace('"CATALOG.JSON INLINE DATA"', catalog_json)
    )
    for name in PAGES:
        (out_dir / name).write_text(page, encoding="utf-8")
    return True
