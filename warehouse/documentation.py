"""The dbt documentation, carried into the published file's comments for BI tools.

Every mart, seed and source is documented in dbt (an English ``description`` and a Vietnamese
``meta.label_vi``, per model and per column). dbt writes them all to ``manifest.json`` in its
target folder on every build, so that file is read here: it holds the documentation whether or
not the build database itself carries comments. The published file gets one comment per table
and column — Vietnamese first, then English — which is what Superset, Metabase, DBeaver and
Power BI show beside the names.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from core.db import session
from warehouse.analyst_views import AnalystView

MANIFEST_NAME = "manifest.json"
# dbt resource types that become relations in the build database
_RELATION_TYPES = frozenset({"model", "seed", "snapshot"})
# joins the Vietnamese label and the English description in one comment
SEPARATOR = " — "


@dataclass(frozen=True)
class Described:
    """What a table or a column is, in Vietnamese and in English (either may be empty)."""

    label_vi: str = ""
    description: str = ""

    @property
    def comment(self) -> str:
        """The comment a BI tool shows: the Vietnamese label, then the English description."""
        return SEPARATOR.join(part for part in (self.label_vi, self.description) if part)


@dataclass(frozen=True)
class TableDoc:
    """A relation's documentation: the table's own and each documented column's."""

    table: Described
    columns: dict[str, Described] = field(default_factory=dict)


# Published relations that dbt does not build or declare as a source: documented here instead.
EXTRA_DOCS: dict[str, TableDoc] = {
    "raw.dti_national_means": TableDoc(
        table=Described(
            "Điểm DTI bình quân cả nước",
            "The national mean DTI score per year, as the ministry published it.",
        ),
        columns={
            "year": Described("Năm", "Year of the DTI publication."),
            "mean_dti": Described("DTI bình quân", "Published mean DTI of all provinces (0–1)."),
            "source": Described("Nguồn", "Where the figure was published."),
        },
    ),
}


def _text(value: object) -> str:
    # dbt keeps folded YAML's line breaks; a comment reads better on one line
    return " ".join(str(value or "").split())


def _meta(entry: Mapping[str, Any]) -> Mapping[str, Any]:
    # dbt ≥ 1.10 keeps `meta` under `config`; older manifests at the top level
    config = entry.get("config") or {}
    return {**(entry.get("meta") or {}), **(config.get("meta") or {})}


def _described(entry: Mapping[str, Any]) -> Described:
    return Described(
        label_vi=_text(_meta(entry).get("label_vi")),
        description=_text(entry.get("description")),
    )


def _table_doc(entry: Mapping[str, Any]) -> TableDoc:
    columns = {
        str(name): _described(column)
        for name, column in (entry.get("columns") or {}).items()
        if _described(column).comment
    }
    return TableDoc(table=_described(entry), columns=columns)


def read_dbt_docs(manifest: Path) -> dict[str, TableDoc]:
    """The documentation of every model, seed, snapshot and source, keyed ``schema.relation``,
    plus :data:`EXTRA_DOCS` for the published relations dbt does not know.

    Returns an empty mapping when the manifest does not exist (a build that never ran dbt):
    the publish then goes on without comments rather than failing the night. A manifest that
    is not JSON raises ``ValueError`` naming the file.
    """
    if not manifest.is_file():
        return {}
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{manifest}: not a dbt manifest (invalid JSON: {exc})") from exc
    docs: dict[str, TableDoc] = dict(EXTRA_DOCS)
    for node in (data.get("nodes") or {}).values():
        if node.get("resource_type") in _RELATION_TYPES:
            name = node.get("alias") or node.get("name")
            docs[f"{node.get('schema')}.{name}"] = _table_doc(node)
    for source in (data.get("sources") or {}).values():
        name = source.get("identifier") or source.get("name")
        docs[f"{source.get('schema')}.{name}"] = _table_doc(source)
    return docs


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def apply_comments(
    con: duckdb.DuckDBPyConnection,
    docs: Mapping[str, TableDoc],
    tables: Iterable[str],
    *,
    sources: Mapping[str, str] | None = None,
) -> int:
    """Write ``comment on table`` / ``comment on column`` for each documented published table.

    ``tables`` are the published ``schema.table`` names; ``sources`` maps a published name to
    the build relation it was copied from when the two differ (the reference tables). Only
    columns that exist in the published table are commented. Returns the number of comments
    written.
    """
    sources = sources or {}
    written = 0
    for name in tables:
        doc = docs.get(sources.get(name, name))
        if doc is None:
            continue
        schema, table = name.split(".")
        relation = f'{schema}."{table}"'
        if doc.table.comment:
            con.execute(f"comment on table {relation} is {_quote(doc.table.comment)}")
            written += 1
        present = {
            str(c)
            for (c,) in con.execute(
                "select column_name from duckdb_columns() "
                "where schema_name = ? and table_name = ? and database_name = current_database()",
                [schema, table],
            ).fetchall()
        }
        for column, described in doc.columns.items():
            if column in present:
                con.execute(
                    f'comment on column {relation}."{column}" is {_quote(described.comment)}'
                )
                written += 1
    return written


def view_docs(
    views: Iterable[AnalystView],
    docs: Mapping[str, TableDoc],
    *,
    sources: Mapping[str, str] | None = None,
) -> dict[str, TableDoc]:
    """Each analyst view's documentation, keyed ``analyst.<name>``, its columns in view order.

    A column that names the published column it passes through takes that column's
    documentation (a mart's or reference table's from dbt, another view's from its YAML); one
    whose source is not documented is left out (a build that never ran dbt).
    """
    sources = sources or {}
    by_name = {view.qualified_name: view for view in views}
    resolved: dict[str, TableDoc] = {}

    def column(relation: str, name: str) -> Described | None:
        if relation in by_name:
            return resolve(by_name[relation]).columns.get(name)
        doc = docs.get(sources.get(relation, relation))
        return doc.columns.get(name) if doc else None

    def resolve(view: AnalystView) -> TableDoc:
        if view.qualified_name not in resolved:
            columns: dict[str, Described] = {}
            for name, entry in view.columns.items():
                if entry.same_as:
                    relation, _, source_column = entry.same_as.rpartition(".")
                    found = column(relation, source_column)
                    if found is not None:
                        columns[name] = found
                else:
                    columns[name] = Described(entry.label_vi, entry.description)
            resolved[view.qualified_name] = TableDoc(Described("", view.description), columns)
        return resolved[view.qualified_name]

    return {name: resolve(view) for name, view in by_name.items()}


def document_published(
    path: Path,
    dbt_manifest: Path,
    tables: Iterable[str],
    *,
    sources: Mapping[str, str] | None = None,
    views: Iterable[AnalystView] = (),
) -> int:
    """Comment the published file at ``path`` from dbt's ``manifest.json`` and the analyst
    views' YAML; return the number of comments written."""
    docs = read_dbt_docs(dbt_manifest)
    described_views = view_docs(views, docs, sources=sources)
    with session(path) as con:
        written = apply_comments(con, docs, tables, sources=sources)
        # the views' own comments are their SQL files' descriptions (written with the view)
        columns_only = {
            name: TableDoc(Described(), doc.columns) for name, doc in described_views.items()
        }
        written += apply_comments(con, columns_only, columns_only)
        con.execute("checkpoint")
    return written
