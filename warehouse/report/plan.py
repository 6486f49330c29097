"""The scorecard's "Cần làm gì" (what to do) for the plan's targets: each target's projection to
its deadline, its chart, and the units that hold it back.

Everything here is read from the published analyst views ``analyst.target_projections`` and
``analyst.target_holdbacks`` (the marts ``fct_target_projections`` / ``fct_target_holdbacks``):
the sentences and figures are the warehouse's, this module only lays them out. The scorecard
reads today's province with earlier periods restated (``successor:``), as its target table does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from warehouse.report.labels import UNIT_LEVELS, label, share_or_number
from warehouse.sql import connect_published

PLAN_VIEWS = {
    "projections": "analyst.target_projections",
    "holdbacks": "analyst.target_holdbacks",
}

# projection_status (fct_target_projections) as a short badge: its words and the colour of the
# target statuses it is closest to
PROJECTION_BADGES: dict[str, tuple[str, str]] = {
    "projected_to_miss": ("Dự báo không đạt", "at_risk"),
    "too_few_periods": ("Chưa đủ kỳ để dự báo", "not_measurable"),
    "projected_to_meet": ("Dự báo đạt", "on_track"),
    "achieved": ("Đã đạt", "achieved"),
    "missed_at_deadline": ("Không đạt tại thời hạn", "missed"),
    "achieved_at_deadline": ("Đạt tại thời hạn", "achieved"),
    "judged_each_period": ("Xét từng kỳ", "not_measurable"),
    "not_measurable": ("Không đo được", "not_measurable"),
}
# the targets an official acts on first
_ORDER = list(PROJECTION_BADGES)

LINE_COLOUR = "#1a5276"
TREND_COLOUR = "#b9770e"
THRESHOLD_COLOUR = "#1e8449"


def read_plan_frames(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """Both views; a warehouse published before they existed gives empty frames."""
    present = {
        f"{schema}.{name}"
        for schema, name in con.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
    }
    return {
        key: con.sql(f"select * from {view}").df() if view in present else pd.DataFrame()
        for key, view in PLAN_VIEWS.items()
    }


def _points(targets: pd.DataFrame, row: dict[str, Any]) -> pd.DataFrame:
    """The measured periods of the target's like-for-like series, oldest first."""
    if targets.empty:
        return pd.DataFrame(columns=["period_id", "end_date", "actual_value"])
    same = targets[
        (targets["target_id"] == row["target_id"])
        & (targets["scope"] == row["scope"])
        & ~targets["is_period_in_progress"].fillna(False).astype(bool)
        & targets["actual_value"].notna()
    ].copy()
    same["end_date"] = pd.to_datetime(same["period_end_date"])
    if not bool(row.get("is_restated")) and not same.empty:  # one province list only
        latest_basis = same.sort_values("end_date")["province_basis"].iloc[-1]
        same = same[same["province_basis"] == latest_basis]
    if row.get("months_per_period") == 12:  # a yearly value: the year ends compare
        same = same[(same["end_date"].dt.month == 12) & (same["end_date"].dt.day == 31)]
    return same.sort_values("end_date")[["period_id", "end_date", "actual_value"]]


def _has_line(row: dict[str, Any]) -> bool:
    return all(
        row.get(c) is not None and not pd.isna(row.get(c))
        for c in ("trend_per_period", "trend_value_as_of", "projected_value", "deadline_date")
    )


def projection_chart(points: pd.DataFrame, row: dict[str, Any], path: Path) -> Path:
    """The measured series, the fitted line carried to the deadline with its range, the
    threshold and the deadline. The line and band are drawn as the mart defines them: the line
    through the last periods, ± twice the residual spread, a share kept in [0, 100 %]."""
    # drawn only by the night's scorecard: the portal reads the rows without loading matplotlib
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    is_share = bool(row.get("is_share"))
    scale = 100.0 if is_share else 1.0
    fig, ax = plt.subplots(figsize=(7.8, 3.3))
    used = points.tail(int(row["n_periods_used"])) if row.get("n_periods_used") else points
    ax.plot(
        points["end_date"],
        points["actual_value"] * scale,
        color=LINE_COLOUR,
        marker="o",
        markerfacecolor="white",
        label="Số liệu đã đo",
    )
    ax.plot(used["end_date"], used["actual_value"] * scale, "o", color=LINE_COLOUR)
    deadline = pd.Timestamp(row["deadline_date"])
    if _has_line(row) and not points.empty:
        start = points["end_date"].iloc[-1]
        step = int(row["months_per_period"])
        months = np.arange(0, (deadline.year - start.year) * 12 + deadline.month - start.month + 1)
        x = months / step
        line = float(row["trend_value_as_of"]) + float(row["trend_per_period"]) * x
        spread = 2 * float(row.get("spread_value") or 0.0)
        top = 1.0 if is_share else np.inf
        dates = [start + pd.DateOffset(months=int(m)) for m in months]
        ax.fill_between(
            dates,
            np.clip(line - spread, 0, top) * scale,
            np.clip(line + spread, 0, top) * scale,
            color=TREND_COLOUR,
            alpha=0.18,
            lw=0,
            label="Khoảng dự báo (± 2 độ lệch chuẩn)",
        )
        ax.plot(dates, np.clip(line, 0, top) * scale, "--", color=TREND_COLOUR, label="Xu hướng")
        ax.plot([deadline], [float(row["projected_value"]) * scale], "D", color=TREND_COLOUR)
    if row.get("threshold_value") is not None and not pd.isna(row["threshold_value"]):
        ax.axhline(
            float(row["threshold_value"]) * scale,
            color=THRESHOLD_COLOUR,
            ls=":",
            label=f"Ngưỡng {share_or_number(row['threshold_value'], is_share)}",
        )
    ax.axvline(deadline, color="#566573", ls="--", lw=1)
    ax.text(
        deadline,
        1.01,
        f"Thời hạn {deadline:%d/%m/%Y}",
        transform=ax.get_xaxis_transform(),
        ha="right",
        va="bottom",
        fontsize=8,
        color="#566573",
    )
    # a tick on each year's last day, named by that year (a year's value is its 31/12)
    first = min([*points["end_date"], deadline]) if not points.empty else deadline
    years = list(range(first.year, deadline.year + 1))
    ax.set_xticks([pd.Timestamp(y, 12, 31) for y in years], [str(y) for y in years])
    ax.set_xlim(pd.Timestamp(first.year, 9, 1), deadline + pd.DateOffset(months=4))
    ax.set_ylabel("%" if is_share else "người")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    fig.savefig(path, dpi=110, bbox_inches="tight", pad_inches=0.15)
    plt.close(fig)
    return path


def _scope_rows(projections: pd.DataFrame) -> pd.DataFrame:
    """Today's province restated (the scope the scorecard reads); else the province as it is."""
    if projections.empty:
        return projections
    restated = projections[projections["is_restated"].fillna(False).astype(bool)]
    return restated if not restated.empty else projections


def _points_moved(value: Any, is_share: bool) -> str:
    if value is None or pd.isna(value):
        return "—"
    if is_share:
        return f"+{float(value) * 100:.1f} điểm %".replace(".", ",")
    return f"+{float(value):.1f}".replace(".", ",")


def _method_note(row: dict[str, Any]) -> str | None:
    """How the projection was made, with the figures a reader needs to check it."""
    if not _has_line(row):
        return None
    is_share = bool(row.get("is_share"))
    step = "năm" if row.get("months_per_period") == 12 else "kỳ"
    step_long = "năm" if step == "năm" else "kỳ (6 tháng)"
    scale, unit = (100.0, " điểm %") if is_share else (1.0, "")

    def figure(value: Any, sign: str = "") -> str:
        return f"{float(value) * scale:{sign}.2f}{unit}".replace(".", ",")

    return (
        f"Cách tính: đường thẳng bình phương tối thiểu qua {int(row['n_periods_used'])} kỳ gần "
        f"nhất ({row['first_period_id']} – {row['as_of_period_id']}), xu hướng "
        f"{figure(row['trend_per_period'], '+')} mỗi {step_long}; khoảng dự báo = dự báo ± 2 lần "
        f"độ lệch chuẩn phần dư ({figure(row['spread_value'])}); còn "
        f"{int(row['n_periods_remaining'])} {step} đến thời hạn, cần "
        f"{figure(row['gain_needed_per_period'], '+')} mỗi {step}."
    )


def _date_label(value: Any) -> str:
    if value is None or pd.isna(value):
        return "Không có (xét từng kỳ)"
    return str(pd.Timestamp(value).strftime("%d/%m/%Y"))


def _range_label(row: dict[str, Any]) -> str | None:
    """The projection's range, unless it is squeezed to one figure (at 0 or 100 %)."""
    low, high = row.get("projected_low"), row.get("projected_high")
    if low is None or high is None or pd.isna(low) or pd.isna(high) or low == high:
        return None
    is_share = bool(row.get("is_share"))
    return f"{share_or_number(low, is_share)} – {share_or_number(high, is_share)}"


def _as_of_note(row: dict[str, Any]) -> str | None:
    """When the projection starts from an earlier period than the headline (a yearly value is
    read at year ends), say so, with that period's value."""
    as_of = row.get("as_of_period_id")
    if as_of is None or pd.isna(as_of) or as_of == row.get("period_id"):
        return None
    value = share_or_number(row.get("as_of_value"), row.get("is_share"))
    return (
        f"Dự báo tính theo số cả năm (kỳ cuối năm {as_of}: {value}); kỳ {row.get('period_id')} "
        "là số lũy kế từ đầu năm, chưa so sánh được với cả năm."
    )


def plan_rows(
    projections: pd.DataFrame,
    holdbacks: pd.DataFrame,
    targets: pd.DataFrame,
    chart_dir: Path | None = None,
) -> list[dict[str, Any]]:
    """One entry per target for the section: badge, sentence, chart, method and unit list."""
    rows = _scope_rows(projections)
    entries: list[dict[str, Any]] = []
    for row in rows.to_dict(orient="records"):
        is_share = bool(row.get("is_share"))
        badge, css = PROJECTION_BADGES.get(str(row["projection_status"]), ("", "not_measurable"))
        entry: dict[str, Any] = {
            **row,
            "actual_label": share_or_number(row.get("actual_value"), is_share),
            "threshold_label": share_or_number(row.get("threshold_value"), is_share),
            "deadline_label": _date_label(row.get("deadline_date")),
            "projected_label": share_or_number(row.get("projected_value"), is_share),
            "range_label": _range_label(row),
            "as_of_note": _as_of_note(row),
            "badge": badge,
            "badge_css": css,
            "method_note": _method_note(row),
            "is_unit_level": is_share,
            "chart": None,
            "units": [],
        }
        if chart_dir is not None and _has_line(row):
            points = _points(targets, row)
            if not points.empty:
                name = f"plan_{str(row['target_id']).lower()}.png"
                entry["chart"] = projection_chart(points, row, chart_dir / name).name
        if is_share and not holdbacks.empty:
            units = holdbacks[
                (holdbacks["target_id"] == row["target_id"])
                & (holdbacks["scope"] == row["scope"])
                & (holdbacks["period_id"] == row["period_id"])
            ].sort_values("holdback_rank")
            entry["units"] = [
                {
                    **unit,
                    "level_label": label(UNIT_LEVELS, unit.get("unit_level")),
                    "moved_label": _points_moved(unit.get("share_of_target_moved"), True),
                }
                for unit in units.to_dict(orient="records")
            ]
            entry["n_lacking"] = int(units["n_lacking"].sum()) if not units.empty else 0
            entry["moved_total_label"] = _points_moved(
                units["share_of_target_moved"].sum() if not units.empty else 0.0, True
            )
        entries.append(entry)
    entries.sort(key=lambda e: (_ORDER.index(e["projection_status"]), str(e["target_id"])))
    return entries


def published_plan(published_db: Path) -> list[dict[str, Any]]:
    """The section's entries as the night published them (no charts): what the office reads in
    the portal. Empty before the first publish or on a warehouse published before the views."""
    if not published_db.is_file():
        return []
    with connect_published(published_db) as con:
        frames = read_plan_frames(con)
    return plan_rows(frames["projections"], frames["holdbacks"], pd.DataFrame())
