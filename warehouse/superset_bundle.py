"""A Superset import bundle for the published warehouse, written with every publish.

``published/superset/dxwh_superset.zip`` is in Superset's own export format (``metadata.yaml``,
``databases/``, ``datasets/``, ``charts/``, ``dashboards/``; Superset 6.x, format 1.0.0) and
holds:

- the database, with the safe URI (read-only, no access to the Superset host's files) pointing
  at the published file's stable path, so the nightly republish is picked up;
- one dataset per published table and view, each column with its Vietnamese label as verbose
  name and the published comment (Vietnamese, then English) as description, the relation's
  comment as the dataset's description, and ready metrics: the row count and, for every count
  column (``n_…``), ``cast(sum(…) as bigint)`` (DuckDB's own ``sum`` of integers is HUGEINT,
  which Superset shows as a decimal);
- a dashboard that mirrors the scorecard: the plan's targets, reporting compliance, staffing,
  units without a focal point and the DTI, each chart with its query saved so that Superset's
  chart-data API renders it as imported. Charts read as the scorecard does: codes through the
  analyst views' ``…_vi`` columns (the scorecard's own wording, published as
  ``reference.code_labels``), shares as percentages (``.1%``), DTI scores with four decimals,
  every title, axis and header in Vietnamese, and two filters (period, unit level) scoped to
  the charts whose dataset has the column. Decimal commas (``73,6%``) come from Superset's
  ``D3_FORMAT`` setting (docs/analysts.md), which a bundle cannot carry.

Everything is read from the published file itself (its columns, types and comments), so the
bundle always matches the version it ships with. Ids are UUIDs derived from names: importing the
next night's bundle with "overwrite" updates the same objects.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import yaml  # type: ignore[import-untyped]

from warehouse.documentation import SEPARATOR

BUNDLE_NAME = "dxwh_superset.zip"
DATABASE_NAME = "dxwh — kho dữ liệu công bố"
DASHBOARD_TITLE = "Chuyển đổi số: chỉ tiêu, báo cáo, nhân lực và DTI"
EXPORT_VERSION = "1.0.0"
# the documented connection (docs/warehouse.md): read-only, no file or network access
URI_SETTINGS = "access_mode=read_only&enable_external_access=false"
ENGINE_PARAMS = {"connect_args": {"read_only": True, "config": {"enable_external_access": False}}}
_NAMESPACE = uuid.UUID("5b1f3c0e-7d4a-4f0b-9a51-6d7873776800")
ROW_LIMIT = 1000
_INTEGER_TYPES = frozenset({"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT"})
_TIME_TYPES = ("DATE", "TIMESTAMP")


def stable_uuid(kind: str, name: str) -> str:
    """The same UUID for the same object every night (Superset matches imports on it)."""
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{name}"))


COUNT_METRIC = "count"
# What a row counts, where a chart counts rows: the count metric is named for it ("Số đơn vị"
# reads as the number of units; elsewhere it is the number of rows).
ROW_NOUNS: dict[str, tuple[str, str]] = {
    "analyst.units_without_focal_point": (
        "Số đơn vị",
        "Number of units (a row per unit and period).",
    ),
}


def sum_metric(column: str) -> str:
    """The name of the metric that sums a count column as a whole number (``count``: rows)."""
    return COUNT_METRIC if column == COUNT_METRIC else f"sum_{column}"


@dataclass(frozen=True)
class Chart:
    """One chart of the dashboard: a table (grouped or raw rows) or a bar chart."""

    title: str
    dataset: str  # schema.relation
    viz: str  # table | echarts_timeseries_bar
    columns: tuple[str, ...]  # group-by columns, or the raw columns of a raw table
    metrics: tuple[str, ...] = ()  # count columns summed, or `count` (rows); none: raw rows
    where: str = ""  # SQL filter
    order_by: tuple[str, ...] = ()  # ascending
    width: int = 6
    height: int = 50
    description: str = ""
    # d3 number format per shown column (`.1%`: a share in [0, 1] as a percentage)
    formats: tuple[tuple[str, str], ...] = ()
    # bar charts: the axes' titles (x, y)
    axis_titles: tuple[str, str] = ("", "")
    # what the chart's UUID derives from, when not its title (a renamed chart stays the same
    # object in a Superset that imported an earlier bundle)
    key: str = ""

    @property
    def uuid(self) -> str:
        return stable_uuid("chart", self.key or self.title)

    @property
    def metric_names(self) -> list[str]:
        return [sum_metric(column) for column in self.metrics]


# The scorecard's sections, in its order (warehouse/report): targets, compliance, staffing, DTI.
PERCENT = ".1%"  # 0.7357… → 73.6% (73,6% with the Vietnamese D3_FORMAT)
WHOLE = ",d"  # 1234 → 1,234 (1.234)
TARGET_COLUMNS = ("target_vi", "period_id", "actual_value", "threshold_value", "status_vi")
CHARTS: tuple[Chart, ...] = (
    Chart(
        title="Tiến độ chỉ tiêu tính theo tỷ lệ (tỉnh hiện nay)",
        dataset="analyst.target_progress",
        viz="table",
        columns=TARGET_COLUMNS,
        where="is_restated and is_share",
        order_by=("target_id", "period_end_date"),
        width=12,
        height=50,
        description="Các chỉ tiêu tính theo tỷ lệ, từng kỳ, trên địa bàn tỉnh hiện nay (các kỳ "
        "trước được tính lại), kèm tình trạng như bảng điểm — Each plan target measured as a "
        "share, per period on today's province (earlier periods restated), as a percentage, "
        "with the scorecard's status.",
        formats=(("actual_value", PERCENT), ("threshold_value", PERCENT)),
        key="Tiến độ chỉ tiêu kế hoạch (tỉnh hiện nay)",
    ),
    Chart(
        title="Tiến độ chỉ tiêu tính theo số người (tỉnh hiện nay)",
        dataset="analyst.target_progress",
        viz="table",
        columns=TARGET_COLUMNS,
        where="is_restated and not is_share",
        order_by=("target_id", "period_end_date"),
        width=12,
        height=50,
        description="Các chỉ tiêu tính theo số người (hoặc không đo được), từng kỳ, trên địa "
        "bàn tỉnh hiện nay (các kỳ trước được tính lại), kèm tình trạng như bảng điểm — Each "
        "plan target measured as a headcount (or not measurable), per period on today's "
        "province (earlier periods restated), with the scorecard's status.",
        formats=(("actual_value", WHOLE), ("threshold_value", WHOLE)),
    ),
    Chart(
        title="Tình hình gửi báo cáo theo cấp",
        dataset="analyst.reporting_compliance_by_level",
        viz="table",
        columns=("period_id", "unit_level_vi"),
        metrics=("n_units_expected", "n_on_time", "n_late", "n_missing", "n_not_yet_due"),
        order_by=("period_id", "unit_level_vi"),
        width=6,
        description="Số đơn vị phải báo cáo, báo cáo đúng hạn, trễ hạn, không báo cáo và chưa "
        "đến hạn — Units expected to report, on time, late, missing and not yet due.",
    ),
    Chart(
        title="Đơn vị chưa có đầu mối CĐS hoặc chưa báo cáo",
        dataset="analyst.units_without_focal_point",
        viz="table",
        columns=("period_id", "reason_vi"),
        metrics=("count",),
        order_by=("period_id", "reason_vi"),
        width=6,
        description="Số đơn vị chưa có đầu mối CĐS hoặc chưa báo cáo, từng kỳ — Units without "
        "a CĐS focal point, or that did not report, per period.",
    ),
    Chart(
        title="Nhân lực CĐS theo cấp và kỳ",
        dataset="analyst.staffing_by_level_and_assignment",
        viz="echarts_timeseries_bar",
        columns=("period_id", "unit_level_vi"),
        metrics=("n_staff",),
        order_by=("period_id", "unit_level_vi"),
        width=6,
        description="Nhân lực CNTT/CĐS của các đơn vị đã báo cáo, theo kỳ và cấp — IT/CĐS "
        "staff of the units that reported, per period and level.",
        axis_titles=("Kỳ báo cáo", "Số người"),
    ),
    Chart(
        title="Nhân lực chuyên trách, kiêm nhiệm và tập huấn",
        dataset="analyst.staffing_by_level_and_assignment",
        viz="table",
        columns=("period_id", "unit_level_vi"),
        metrics=("n_staff", "n_dedicated", "n_concurrent", "n_trained"),
        order_by=("period_id", "unit_level_vi"),
        width=6,
        description="Số được tập huấn: chỉ tính trong kỳ, không cộng dồn từ đầu năm — "
        "n_trained: staff trained in this period only (not year to date).",
    ),
    Chart(
        title="Chỉ số DTI của tỉnh nhà (số liệu đã công bố)",
        dataset="analyst.dti_rank_history",
        viz="table",
        columns=("year", "basis", "province_name", "score", "rank", "n_ranked", "national_mean"),
        where="is_home_province and is_published",
        order_by=("year", "basis", "province_name"),
        width=12,
        description="Điểm và xếp hạng DTI đã công bố của tỉnh nhà theo năm và hệ danh mục "
        "tỉnh, kèm bình quân cả nước — The home province's published DTI score and rank per "
        "year and basis, "
        "with the national mean.",
        formats=(("year", "d"), ("score", ".4f"), ("national_mean", ".4f")),
    ),
)


@dataclass(frozen=True)
class Filter:
    """A dashboard filter: its Vietnamese name, and the column whose values it offers (taken
    from ``dataset``); it applies to every chart whose dataset has that column."""

    name: str
    dataset: str
    column: str
    description: str

    @property
    def id(self) -> str:
        return f"NATIVE_FILTER-{stable_uuid('filter', self.name)[:8]}"


FILTERS: tuple[Filter, ...] = (
    # every period expected to report (the staffing view lacks periods nobody reported yet)
    Filter(
        name="Kỳ báo cáo",
        dataset="analyst.reporting_compliance_by_level",
        column="period_id",
        description="Chọn một hay nhiều kỳ báo cáo — Pick one or more reporting periods.",
    ),
    Filter(
        name="Cấp đơn vị",
        dataset="analyst.staffing_by_level_and_assignment",
        column="unit_level_vi",
        description="Chọn cấp đơn vị — Pick unit levels.",
    ),
)


@dataclass
class _Relation:
    name: str  # schema.relation
    kind: str  # table | view
    comment: str
    columns: list[tuple[str, str, str]] = field(default_factory=list)  # name, type, comment


def _relations(con: duckdb.DuckDBPyConnection) -> list[_Relation]:
    rows = con.execute(
        "select schema_name || '.' || table_name, 'table', coalesce(comment, '') "
        "from duckdb_tables() where database_name = current_database() "
        "union all select schema_name || '.' || view_name, 'view', coalesce(comment, '') "
        "from duckdb_views() where database_name = current_database() and not internal "
        "order by 1"
    ).fetchall()
    relations = [_Relation(str(n), str(k), str(c)) for n, k, c in rows]
    for relation in relations:
        schema, table = relation.name.split(".")
        relation.columns = [
            (str(name), str(kind), str(comment or ""))
            for name, kind, comment in con.execute(
                "select column_name, data_type, comment from duckdb_columns() "
                "where database_name = current_database() and schema_name = ? "
                "and table_name = ? order by column_index",
                [schema, table],
            ).fetchall()
        ]
    return relations


def _label(comment: str, fallback: str) -> str:
    label = comment.split(SEPARATOR, 1)[0].strip()
    return label or fallback


def database_config(published_db: Path) -> dict[str, Any]:
    return {
        "database_name": DATABASE_NAME,
        "sqlalchemy_uri": f"duckdb:///{published_db}?{URI_SETTINGS}",
        "cache_timeout": None,
        "expose_in_sqllab": True,
        "allow_run_async": False,
        "allow_ctas": False,
        "allow_cvas": False,
        "allow_dml": False,
        "allow_csv_upload": False,
        "extra": {
            "engine_params": ENGINE_PARAMS,
            "metadata_params": {},
            "schemas_allowed_for_file_upload": [],
        },
        "uuid": stable_uuid("database", DATABASE_NAME),
        "version": EXPORT_VERSION,
    }


def _column(name: str, kind: str, comment: str) -> dict[str, Any]:
    return {
        "column_name": name,
        "verbose_name": _label(comment, name),
        "description": comment or None,
        "type": kind,
        "is_dttm": kind.startswith(_TIME_TYPES),
        "is_active": True,
        "groupby": True,
        "filterable": True,
        "expression": None,
        "python_date_format": None,
        "advanced_data_type": None,
        "extra": {},
    }


def _metrics(relation: _Relation) -> list[dict[str, Any]]:
    label, meaning = ROW_NOUNS.get(relation.name, ("Số dòng", "Number of rows."))
    metrics: list[dict[str, Any]] = [
        {
            "metric_name": COUNT_METRIC,
            "verbose_name": label,
            "metric_type": "count",
            "expression": "cast(count(*) as bigint)",
            "description": f"{label} — {meaning}",
            "d3format": ",d",
            "extra": {},
            "warning_text": None,
        }
    ]
    for name, kind, comment in relation.columns:
        if name.startswith("n_") and kind in _INTEGER_TYPES:
            metrics.append(
                {
                    "metric_name": sum_metric(name),
                    "verbose_name": f"Tổng: {_label(comment, name)}",
                    "metric_type": "sum",
                    "expression": f'cast(sum("{name}") as bigint)',
                    "description": f"Tổng cộng — Sum of {name}, a whole number. {comment}",
                    "d3format": ",d",
                    "extra": {},
                    "warning_text": None,
                }
            )
    return metrics


def dataset_config(relation: _Relation, database_uuid: str) -> dict[str, Any]:
    schema, table = relation.name.split(".")
    return {
        "table_name": table,
        "schema": schema,
        "catalog": None,
        "main_dttm_col": None,
        "description": relation.comment or None,
        "default_endpoint": None,
        "offset": 0,
        "cache_timeout": None,
        "sql": None,
        "params": None,
        "template_params": None,
        "filter_select_enabled": True,
        "fetch_values_predicate": None,
        "extra": None,
        "normalize_columns": False,
        "always_filter_main_dttm": False,
        "uuid": stable_uuid("dataset", relation.name),
        "database_uuid": database_uuid,
        "columns": [_column(*column) for column in relation.columns],
        "metrics": _metrics(relation),
        "version": EXPORT_VERSION,
    }


def _form_data(chart: Chart) -> dict[str, Any]:
    filters = (
        [{"clause": "WHERE", "expressionType": "SQL", "sqlExpression": chart.where}]
        if chart.where
        else []
    )
    common: dict[str, Any] = {
        "viz_type": chart.viz,
        "adhoc_filters": filters,
        "row_limit": ROW_LIMIT,
        "extra_form_data": {},
        "dashboards": [],
    }
    if chart.viz == "echarts_timeseries_bar":
        x_axis, *groupby = chart.columns
        x_title, y_title = chart.axis_titles
        return {
            **common,
            "x_axis": x_axis,
            "x_axis_sort_asc": True,
            "groupby": groupby,
            "metrics": chart.metric_names,
            "orientation": "vertical",
            "show_legend": True,
            "rich_tooltip": True,
            "y_axis_format": WHOLE,
            "truncate_metric": True,
            "x_axis_title": x_title,
            "x_axis_title_margin": 30 if x_title else 0,
            "y_axis_title": y_title,
            "y_axis_title_margin": 40 if y_title else 0,
            "y_axis_title_position": "Left",
        }
    common["column_config"] = {column: {"d3NumberFormat": fmt} for column, fmt in chart.formats}
    if chart.metrics:
        return {
            **common,
            "query_mode": "aggregate",
            "groupby": list(chart.columns),
            "metrics": chart.metric_names,
            "all_columns": [],
            "order_desc": False,
            "table_timestamp_format": "smart_date",
            "server_pagination": False,
        }
    return {
        **common,
        "query_mode": "raw",
        "all_columns": list(chart.columns),
        "groupby": [],
        "metrics": [],
        "order_by_cols": [json.dumps([c, True]) for c in chart.order_by],
        "table_timestamp_format": "smart_date",
        "server_pagination": False,
    }


def _query_context(chart: Chart, form_data: dict[str, Any]) -> str:
    """The query Superset's chart-data API runs for the chart (its datasource is set on import)."""
    query = {
        "columns": list(chart.columns),
        # no metrics (None, not []): raw rows, no group by
        "metrics": chart.metric_names or None,
        "orderby": [[column, True] for column in chart.order_by],
        "filters": [],
        "extras": {"where": chart.where, "having": ""},
        "row_limit": ROW_LIMIT,
        "series_limit": 0,
        "order_desc": False,
        "annotation_layers": [],
        "applied_time_extras": {},
        "url_params": {},
        "custom_params": {},
        "custom_form_data": {},
    }
    return json.dumps(
        {
            "datasource": {"id": 0, "type": "table"},
            "force": False,
            "queries": [query],
            "form_data": form_data,
            "result_format": "json",
            "result_type": "full",
        },
        ensure_ascii=False,
    )


def chart_config(chart: Chart) -> dict[str, Any]:
    form_data = _form_data(chart)
    return {
        "slice_name": chart.title,
        "description": chart.description or None,
        "certified_by": None,
        "certification_details": None,
        "viz_type": chart.viz,
        "params": form_data,
        "query_context": _query_context(chart, form_data),
        "cache_timeout": None,
        "uuid": chart.uuid,
        "version": EXPORT_VERSION,
        "dataset_uuid": stable_uuid("dataset", chart.dataset),
    }


def _rows(charts: Sequence[Chart]) -> list[list[Chart]]:
    rows: list[list[Chart]] = []
    width = 12
    for chart in charts:
        if width + chart.width > 12:
            rows.append([])
            width = 0
        rows[-1].append(chart)
        width += chart.width
    return rows


def _native_filter(
    flt: Filter, charts: Sequence[tuple[int, str]], columns: dict[str, set[str]]
) -> dict[str, Any]:
    """``charts``: each chart's id in the export (position's ``chartId``) and its dataset."""
    return {
        "id": flt.id,
        "name": flt.name,
        "description": flt.description,
        "filterType": "filter_select",
        "type": "NATIVE_FILTER",
        "targets": [
            {"datasetUuid": stable_uuid("dataset", flt.dataset), "column": {"name": flt.column}}
        ],
        "controlValues": {
            "enableEmptyFilter": False,
            "defaultToFirstItem": False,
            "multiSelect": True,
            "searchAllOptions": False,
            "inverseSelection": False,
        },
        "defaultDataMask": {"extraFormData": {}, "filterState": {}, "ownState": {}},
        "cascadeParentIds": [],
        # the export's chart ids (position's chartId), which the import maps to its own
        "scope": {
            "rootPath": ["ROOT_ID"],
            "excluded": [
                chart_id
                for chart_id, dataset in charts
                if flt.column not in columns.get(dataset, set())
            ],
        },
    }


def dashboard_config(
    charts: Sequence[Chart],
    filters: Sequence[Filter] = (),
    columns: dict[str, set[str]] | None = None,
) -> dict[str, Any]:
    """The dashboard; ``columns`` (dataset -> its columns) scopes each filter to the charts
    whose dataset has its column."""
    position: dict[str, Any] = {
        "DASHBOARD_VERSION_KEY": "v2",
        "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
        "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": [], "parents": ["ROOT_ID"]},
        "HEADER_ID": {"type": "HEADER", "id": "HEADER_ID", "meta": {"text": DASHBOARD_TITLE}},
    }
    # distinct ids in the export, so that the import can map the filters' scopes to its own
    chart_ids = {chart.uuid: number for number, chart in enumerate(charts, start=1)}
    for number, row in enumerate(_rows(charts), start=1):
        row_id = f"ROW-{number}"
        position["GRID_ID"]["children"].append(row_id)
        position[row_id] = {
            "type": "ROW",
            "id": row_id,
            "children": [],
            "parents": ["ROOT_ID", "GRID_ID"],
            "meta": {"background": "BACKGROUND_TRANSPARENT"},
        }
        for chart in row:
            chart_id = f"CHART-{chart.uuid[:8]}"
            position[row_id]["children"].append(chart_id)
            position[chart_id] = {
                "type": "CHART",
                "id": chart_id,
                "children": [],
                "parents": ["ROOT_ID", "GRID_ID", row_id],
                "meta": {
                    "width": chart.width,
                    "height": chart.height,
                    "chartId": chart_ids[chart.uuid],
                    "uuid": chart.uuid,
                    "sliceName": chart.title,
                },
            }
    return {
        "dashboard_title": DASHBOARD_TITLE,
        "description": None,
        "css": "",
        "slug": "dxwh",
        "certified_by": "",
        "certification_details": "",
        "published": True,
        "uuid": stable_uuid("dashboard", DASHBOARD_TITLE),
        "position": position,
        "metadata": {
            "color_scheme": "",
            "refresh_frequency": 0,
            "expanded_slices": {},
            "label_colors": {},
            "timed_refresh_immune_slices": [],
            "cross_filters_enabled": False,
            "default_filters": "{}",
            "chart_configuration": {},
            "native_filter_configuration": [
                _native_filter(flt, [(chart_ids[c.uuid], c.dataset) for c in charts], columns or {})
                for flt in filters
                if flt.dataset in (columns or {})
            ],
        },
        "version": EXPORT_VERSION,
    }


def _dump(data: dict[str, Any]) -> str:
    return str(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def write_bundle(
    con: duckdb.DuckDBPyConnection,
    published_db: Path,
    out_dir: Path,
    *,
    published_at: dt.datetime,
    charts: Sequence[Chart] = CHARTS,
    exclude: frozenset[str] = frozenset(),
) -> Path:
    """Write ``out_dir/dxwh_superset.zip`` for the published file open as ``con``.

    ``published_db`` is the path Superset opens (the stable ``published/dx.duckdb``, not the
    version's own file). Charts whose dataset is not published are left out, and so are the
    relations named in ``exclude`` (the marts' old names, kept for a while as views).
    """
    relations = [r for r in _relations(con) if r.name not in exclude]
    names = {relation.name for relation in relations}
    database = database_config(published_db)
    root = "dxwh_superset"
    files: dict[str, dict[str, Any]] = {
        "metadata.yaml": {
            "version": EXPORT_VERSION,
            "type": "Dashboard",
            "timestamp": published_at.isoformat(),
        },
        "databases/dxwh.yaml": database,
    }
    for relation in relations:
        files[f"datasets/dxwh/{relation.name}.yaml"] = dataset_config(relation, database["uuid"])
    kept = [chart for chart in charts if chart.dataset in names]
    for chart in kept:
        files[f"charts/{chart.uuid}.yaml"] = chart_config(chart)
    columns = {relation.name: {c for c, _, _ in relation.columns} for relation in relations}
    files["dashboards/dxwh.yaml"] = dashboard_config(kept, FILTERS, columns)
    out_dir.mkdir(parents=True, exist_ok=True)
    bundle = out_dir / BUNDLE_NAME
    with zipfile.ZipFile(bundle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(f"{root}/{name}", _dump(data))
    return bundle
