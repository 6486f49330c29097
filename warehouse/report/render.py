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
from warehouse.report import charts, whatif
from warehouse.report.data import (
    UNKNOWN_FIELDS,
    ScorecardData,
    estimated_dti,
    load_scorecard_data,
    published_dti,
)
from warehouse.report.labels import (
    BASES,
    NO_FOCAL_POINT_REASON,
    REPORT_STATUS,
    UNIT_LEVELS,
    after_deadline_label,
    label,
    merger_sentence,
    methodology_label,
    number,
    scope_label,
    share_or_number,
    target_status_label,
    verdict_label,
)
from warehouse.report.office_workbook import WORKBOOK_NAME, write_office_workbook
from warehouse.report.plan import plan_rows

TEMPLATES = Path(__file__).resolve().parent / "templates"
LOCAL_TZ = dt.timezone(dt.timedelta(hours=7), "ICT")


@dataclass(frozen=True)
class ScorecardResult:
    index: Path
    charts: list[str]
    period_id: str | None


# the figures as the page prints them (one definition, shared with the plan's section)
_number = number
_share_or_number = share_or_number


def _rank_change(value: Any) -> str:
    """``+2`` moved up, ``-6`` down, ``0`` kept its rank (never "+0"), ``—`` nothing to compare."""
    if value is None or pd.isna(value):
        return "—"
    change = int(value)
    return f"{change:+d}" if change else "0"


def _date(value: Any) -> str:
    if value is None or pd.isna(value):
        return "Không có (xét từng kỳ)"
    return str(pd.Timestamp(value).strftime("%d/%m/%Y"))


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [dict(row) for row in frame.to_dict(orient="records")]


def _flag(row: dict[str, Any], column: str) -> bool:
    value = row.get(column)
    return bool(value) if value is not None and not pd.isna(value) else False


def _latest_targets(targets: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each target on today's province, and the last rows of the provinces a merger ended.

    The current table reads the restated scope (``successor:``: every period before a merger
    summed over the predecessors, like for like), each target in its latest period whose
    reports are all due; a period in progress never becomes the headline. The provinces as
    they were (``province:``) on an earlier province list are shown apart, each with its last
    period on that list.
    """
    if targets.empty:
        return targets, targets
    due = targets[~targets["is_period_in_progress"].fillna(False).astype(bool)]
    restated = due["is_restated"].fillna(False).astype(bool)

    def last_rows(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
        ordered = frame.sort_values([*keys, "period_end_date"])
        return ordered.groupby(keys, as_index=False).tail(1)

    current = last_rows(due[restated], ["target_id"])
    as_was = due[~restated]
    if current.empty:  # a warehouse with no restated scope: the provinces as they were
        last = last_rows(as_was, ["target_id", "scope"])
        newest = last.groupby("target_id")["period_end_date"].transform("max")
        return last[last["period_end_date"] == newest], last[last["period_end_date"] != newest]
    latest_basis = as_was.sort_values("period_end_date")["province_basis"].iloc[-1]
    earlier = as_was[as_was["province_basis"] != latest_basis]
    return current, last_rows(earlier, ["target_id", "scope", "province_basis"])


def _target_status(row: dict[str, Any]) -> str:
    """The status as officials read it: the verdict once the deadline has passed."""
    verdict = row.get("verdict_status")
    if verdict is None or pd.isna(verdict) or row.get("status") == "in_progress":
        return target_status_label(row.get("status"), row.get("actual_value"), row.get("is_met"))
    return verdict_label(
        verdict,
        pd.Timestamp(row["deadline_date"]).date(),
        _share_or_number(row.get("verdict_value"), row.get("is_share")),
    )


def _after_deadline(row: dict[str, Any]) -> str | None:
    """What a period after the deadline showed, told apart from the verdict."""
    after = row.get("status_after_deadline")
    if after is None or pd.isna(after):
        return None
    return after_deadline_label(
        after == "met",
        _share_or_number(row.get("actual_value"), row.get("is_share")),
        str(row.get("period_id")),
    )


def _missed_periods(targets: pd.DataFrame, row: dict[str, Any]) -> str | None:
    """For a target judged every period (no deadline): the periods it was missed in."""
    if not _flag(row, "is_judged_each_period") and not pd.isna(row.get("deadline_date")):
        return None
    same = targets[(targets["target_id"] == row["target_id"]) & (targets["scope"] == row["scope"])]
    missed = same[same["status"] == "missed"].sort_values("period_end_date")
    if missed.empty:
        return None
    is_share = row.get("is_share")
    parts = [
        f"{m['period_id']} ({_share_or_number(m['actual_value'], is_share)}, ngưỡng "
        f"{_share_or_number(m['threshold_value'], is_share)})"
        for m in _records(missed)
    ]
    return "Các kỳ không đạt: " + "; ".join(parts)


def _coverage_note(row: dict[str, Any], names: dict[str, str]) -> str | None:
    """What a restated threshold covers when a predecessor's data is missing."""
    if row.get("is_threshold_complete") is None or pd.isna(row.get("is_threshold_complete")):
        return None
    if _flag(row, "is_threshold_complete"):
        return None
    covered = str(row.get("threshold_covered_province_ids") or "")
    listed = [names.get(code, f"mã {code}") for code in covered.split(",") if code]
    if listed:
        return "Chỉ gồm số liệu của " + ", ".join(listed)
    return "Chưa đủ số liệu các tỉnh hợp nhất"


def _due_only(data: ScorecardData, frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of periods whose deadline has passed: a period in progress has only the reports
    that came early, so its figures are not yet the period's."""
    if frame.empty or not data.in_progress_periods:
        return frame
    return frame[~frame["period_id"].map(data.is_in_progress)]


def _in_progress_rows(data: ScorecardData) -> list[dict[str, Any]]:
    return [
        {
            "period_id": p.period_id,
            "deadline_date": p.deadline_date,
            "n_units_submitted": p.n_units_submitted,
            "n_units_expected": p.n_units_expected,
        }
        for p in data.in_progress_periods
    ]


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


def _period_runs(data: ScorecardData) -> list[tuple[str, str, str]]:
    """(province, first period, last period) for each run of periods of one province."""
    runs: list[tuple[str, str, str]] = []
    for period in sorted(_due_only(data, data.staffing)["period_id"].dropna().unique()):
        name = data.province_of(period) or ""
        if runs and runs[-1][0] == name:
            runs[-1] = (name, runs[-1][1], str(period))
        else:
            runs.append((name, str(period), str(period)))
    return runs


def _reorganisation_notes(data: ScorecardData) -> list[str]:
    notes = [
        merger_sentence(m.effective_date, m.province_name, m.merged_names)
        for m in data.home_mergers
    ]
    runs = _period_runs(data)
    if notes and len(runs) > 1:
        parts = [
            f"kỳ {first}" + (f" đến {last}" if last != first else "") + f" là của {name}"
            for name, first, last in runs
        ]
        notes.append("Số liệu báo cáo " + "; ".join(parts) + ".")
    return notes


def _exemption_notes(data: ScorecardData) -> list[str]:
    """One sentence per unit with no reporting duty: why it is absent from the figures."""
    return [
        f"{name.removeprefix('UBND ')} không có nghĩa vụ báo cáo"
        + (f" ({reason})" if reason else "")
        + ": không tính vào tình hình nộp báo cáo và các chỉ tiêu."
        for name, reason in data.exempt_units
    ]


def _with_province(data: ScorecardData, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in rows:
        row["province_name"] = data.province_of(row.get("period_id"))
    return rows


def _with_target_province(data: ScorecardData, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Name each target row's province: today's for a restated scope, else as it was then."""
    for row in rows:
        code = str(row.get("province_id"))
        if row.get("is_restated") is True:
            name = data.current_province_names.get(code)
        elif row.get("province_basis") == 63:
            name = data.legacy_province_names.get(code)
        else:
            name = data.current_province_names.get(code)
        row["province_name"] = name or data.province_of(row.get("period_id"))
    return rows


def _dti_rows(data: ScorecardData) -> list[dict[str, Any]]:
    """The home province's published DTI: the officials' table holds nothing else."""
    return _labelled_dti_rows(data, published_dti(data.dti))


def _dti_estimate_rows(data: ScorecardData) -> list[dict[str, Any]]:
    """The home province's DTI values the warehouse computed, shown apart as estimates."""
    return _labelled_dti_rows(data, estimated_dti(data.dti))


def _years_with_published_basis(data: ScorecardData, basis: int) -> list[int]:
    published = published_dti(data.dti)
    return sorted({int(y) for y in published.loc[published["basis"] == basis, "year"]})


def _labelled_dti_rows(data: ScorecardData, dti: pd.DataFrame) -> list[dict[str, Any]]:
    home = dti[dti["is_home_province"]].sort_values(["year", "basis"])
    rows = _records(home)
    for row in rows:
        code = row.get("methodology")
        known = data.methodologies.get(str(code))
        if known is not None:
            row["methodology_label"] = methodology_label(code, *known)
        else:
            row["methodology_label"] = label({}, code)
        row["basis_label"] = BASES.get(int(row["basis"]), f"{row['basis']} tỉnh, thành")
    return rows


def _missing_dti_years(data: ScorecardData) -> list[int]:
    published = published_dti(data.dti)
    home_years = {int(y) for y in published.loc[published["is_home_province"], "year"]}
    if not home_years:
        return []
    all_years = range(min(home_years), int(published["year"].max()) + 1)
    return [y for y in all_years if y not in home_years]


def _unknown_rows(data: ScorecardData, period: str | None) -> list[dict[str, Any]]:
    """How many people of the period have each field unknown (they still count)."""
    frame = data.unknowns
    if period is None or frame.empty or period not in set(frame["period_id"]):
        return []
    row = frame[frame["period_id"] == period].iloc[0]
    # the number filter shows "—" for a count a warehouse built before these columns lacks
    return [
        {"label": label_vi, "n_unknown": row[f"n_unknown_{f}"], "n_staff": row["n_staff"]}
        for f, label_vi in UNKNOWN_FIELDS
    ]


def _context(
    data: ScorecardData,
    chart_files: dict[str, str],
    plan: list[dict[str, Any]] | None = None,
    workbook: str | None = None,
) -> dict[str, Any]:
    period = data.latest_period
    current_targets, earlier_targets = _latest_targets(_due_only(data, data.targets))
    target_rows = _with_target_province(data, _records(current_targets))
    earlier_rows = _with_target_province(data, _records(earlier_targets))
    for row in [*target_rows, *earlier_rows]:
        row["scope_label"] = scope_label(row["scope"], row["province_name"])
        row["status_label"] = _target_status(row)
        row["coverage_note"] = _coverage_note(row, data.legacy_province_names)
        row["missed_note"] = _missed_periods(data.targets, row)
        row["after_note"] = _after_deadline(row)
    return {
        "province_name": data.home_province_name,
        "period_id": period,
        "in_progress": _in_progress_rows(data),
        "reorganisation_notes": _reorganisation_notes(data),
        "exemption_notes": _exemption_notes(data),
        "generated_at": dt.datetime.now(LOCAL_TZ).strftime("%d/%m/%Y %H:%M"),
        "version": data.published_version,
        "charts": chart_files,
        "dti_rows": _dti_rows(data),
        "dti_estimate_rows": _dti_estimate_rows(data),
        "years_published_on_34": _years_with_published_basis(data, 34),
        "missing_dti_years": _missing_dti_years(data),
        "peer_rows": _peer_rows(published_dti(data.dti)),
        "staffing_rows": _with_province(data, _records(_due_only(data, data.staffing))),
        "unknown_rows": _unknown_rows(data, period),
        "target_rows": target_rows,
        "earlier_target_rows": earlier_rows,
        "compliance_rows": _records(data.compliance[data.compliance["period_id"] == period]),
        "late_rows": _records(data.late_or_missing[data.late_or_missing["period_id"] == period]),
        "no_focal_rows": _records(data.no_focal_point[data.no_focal_point["period_id"] == period]),
        "plan_rows": plan or [],
        "workbook": workbook,
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
        rank_change=_rank_change,
        vn_date=_date,
        level=lambda v: label(UNIT_LEVELS, v),
        target_status=target_status_label,
        report_status=lambda v: label(REPORT_STATUS, v),
        no_focal_reason=lambda v: label(NO_FOCAL_POINT_REASON, v),
    )
    return env


def render_scorecard(data: ScorecardData, out_dir: Path) -> ScorecardResult:
    """Write ``index.html`` and its charts into ``out_dir`` (which must not exist yet)."""
    out_dir.mkdir(parents=True)
    files: dict[str, str] = {}
    if not data.dti.empty:
        files["dti_rank"] = charts.dti_rank_chart(data.dti, out_dir / "dti_rank.png").name
        files["dti_score"] = charts.dti_score_chart(data.dti, out_dir / "dti_score.png").name
    staffing = _due_only(data, data.staffing)
    if not staffing.empty:
        names = {str(p): data.province_of(p) for p in staffing["period_id"].unique()}
        province_of = {p: name for p, name in names.items() if name}
        files["staffing"] = charts.staffing_chart(
            staffing, out_dir / "staffing.png", province_of
        ).name
    period = data.latest_period
    if period is not None and not data.compliance.empty:
        files["compliance"] = charts.compliance_chart(
            data.compliance, period, out_dir / "compliance.png"
        ).name
    plan = plan_rows(data.projections, data.holdbacks, _due_only(data, data.targets), out_dir)
    files.update({f"plan_{p['target_id']}": p["chart"] for p in plan if p["chart"]})
    # the office's workbook of the same rows, beside the page it is linked from
    workbook = write_office_workbook(plan, out_dir / WORKBOOK_NAME).name if plan else None
    context = {
        **_context(data, files, plan, workbook),
        "whatifs": whatif.with_charts(data.whatifs, out_dir),
        "whatif_note": whatif.COMPUTED_NOTE,
    }
    html = _environment().get_template("scorecard.html.j2").render(**context)
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
