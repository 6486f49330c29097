"""Write the scorecard: a static HTML page and its PNG charts, readable with no network.

The page carries its CSS inline and refers to its charts by relative file names, so the folder
can be opened from disk, copied to a share or attached to an email as it is. It is written into
a temporary folder and swapped in, so a reader never opens a half-written report.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape

from core.settings import Settings
from warehouse.published_versions import current_version
from warehouse.report import charts
from warehouse.report.data import ScorecardData, load_scorecard_data
from warehouse.report.labels import (
    NO_FOCAL_POINT_REASON,
    REPORT_STATUS,
    TARGET_STATUS,
    UNIT_LEVELS,
    label,
    scope_label,
)

TEMPLATES = Path(__file__).resolve().parent / "templates"
LOCAL_TZ = dt.timezone(dt.timedelta(hours=7), "ICT")


@dataclass(frozen=True)
class ScorecardResult:
    index: Path
    charts: list[str]
    period_id: str | None


def _number(value: Any, digits: int = 0) -> str:
    if value is None or pd.isna(value):
        return "—"
    if digits == 0:
        return f"{round(float(value)):,}".replace(",", ".")
    return f"{float(value):.{digits}f}".replace(".", ",")


def _share_or_number(value: Any, is_share: Any) -> str:
    # shares are stored in [0, 1] and read as percentages; the other targets are headcounts
    if value is None or pd.isna(value):
        return "—"
    if bool(is_share):
        return f"{float(value) * 100:.1f}%".replace(".", ",")
    return _number(value)


def _date(value: Any) -> str:
    if value is None or pd.isna(value):
        return "Hằng kỳ"
    return pd.Timestamp(value).strftime("%d/%m/%Y")


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [dict(row) for row in frame.to_dict(orient="records")]


def _latest_targets(targets: pd.DataFrame) -> pd.DataFrame:
    if targets.empty:
        return targets
    ordered = targets.sort_values(["target_id", "scope", "period_end_date"])
    return ordered.groupby(["target_id", "scope"], as_index=False).tail(1)


def _peer_rows(dti: pd.DataFrame, around: int = 2, top: int = 3) -> list[dict[str, Any]]:
    """For the latest year of each basis: the leaders and the provinces ranked near home."""
    rows: list[pd.DataFrame] = []
    for _basis, scores in dti[dti["rank"].notna()].groupby("basis"):
        latest = scores[scores["year"] == scores["year"].max()]
        home_ranks = latest.loc[latest["is_home_province"], "rank"]
        near = latest["rank"] <= top
        for rank in home_ranks:
            near |= (latest["rank"] - rank).abs() <= around
        rows.append(latest[near])
    if not rows:
        return []
    return _records(pd.concat(rows).sort_values(["year", "basis", "rank"]))


def _context(data: ScorecardData, chart_files: dict[str, str]) -> dict[str, Any]:
    period = data.latest_period
    home = data.dti[data.dti["is_home_province"]].sort_values(["year", "basis"])
    return {
        "province_name": data.home_province_name,
        "period_id": period,
        "generated_at": dt.datetime.now(LOCAL_TZ).strftime("%d/%m/%Y %H:%M"),
        "version": data.published_version,
        "charts": chart_files,
        "dti_rows": _records(home),
        "peer_rows": _peer_rows(data.dti),
        "staffing_rows": _records(data.staffing),
        "target_rows": _records(_latest_targets(data.targets)),
        "compliance_rows": _records(data.compliance[data.compliance["period_id"] == period]),
        "late_rows": _records(data.late_or_missing[data.late_or_missing["period_id"] == period]),
        "no_focal_rows": _records(data.no_focal_point[data.no_focal_point["period_id"] == period]),
    }


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        number=_number,
        share_or_number=_share_or_number,
        vn_date=_date,
        level=lambda v: label(UNIT_LEVELS, v),
        target_status=lambda v: label(TARGET_STATUS, v),
        report_status=lambda v: label(REPORT_STATUS, v),
        no_focal_reason=lambda v: label(NO_FOCAL_POINT_REASON, v),
        scope=scope_label,
    )
    return env


def render_scorecard(data: ScorecardData, out_dir: Path) -> ScorecardResult:
    """Write ``index.html`` and its charts into ``out_dir`` (which must not exist yet)."""
    out_dir.mkdir(parents=True)
    files: dict[str, str] = {}
    if not data.dti.empty:
        files["dti_rank"] = charts.dti_rank_chart(data.dti, out_dir / "dti_rank.png").name
        files["dti_score"] = charts.dti_score_chart(data.dti, out_dir / "dti_score.png").name
    if not data.staffing.empty:
        files["staffing"] = charts.staffing_chart(data.staffing, out_dir / "staffing.png").name
    period = data.latest_period
    if period is not None and not data.compliance.empty:
        files["compliance"] = charts.compliance_chart(
            data.compliance, period, out_dir / "compliance.png"
        ).name
    html = _environment().get_template("scorecard.html.j2").render(**_context(data, files))
    index = out_dir / "index.html"
    index.write_text(html, encoding="utf-8")
    return ScorecardResult(index=index, charts=sorted(files.values()), period_id=period)


def write_scorecard(settings: Settings) -> ScorecardResult:
    """Render the scorecard of the current published warehouse into the reports folder."""
    data = load_scorecard_data(
        settings.published_db, version=current_version(settings.published_dir) or ""
    )
    target = settings.reports_dir / "scorecard"
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".scorecard.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        result = render_scorecard(data, tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = target.with_name(f".scorecard.{os.getpid()}.old")
    if target.exists():
        os.rename(target, old)
    os.rename(tmp, target)
    shutil.rmtree(old, ignore_errors=True)
    return ScorecardResult(
        index=target / result.index.name, charts=result.charts, period_id=result.period_id
    )
