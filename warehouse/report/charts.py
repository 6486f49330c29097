"""The scorecard's PNG charts (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from warehouse.report.data import published_dti
from warehouse.report.labels import UNIT_LEVELS, label

HOME_COLOUR = "#c0392b"
MEAN_COLOUR = "#2c3e50"
PEER_COLOUR = "#95a5a6"
DEDICATED_COLOUR = "#2471a3"
CONCURRENT_COLOUR = "#85c1e9"
COMPLIANCE_COLOURS = {"n_on_time": "#27ae60", "n_late": "#f39c12", "n_missing": "#c0392b"}
COMPLIANCE_LABELS = {"n_on_time": "Đúng hạn", "n_late": "Nộp muộn", "n_missing": "Chưa nộp"}


GAP_COLOUR = "#d5d8dc"


def _save(fig: Figure, path: Path) -> Path:
    # "tight" keeps legends placed outside the axes inside the picture
    fig.savefig(path, dpi=110, bbox_inches="tight", pad_inches=0.15)
    plt.close(fig)
    return path


def _year_axis(ax: Axes, years: list[int]) -> list[int]:
    """Every year from the first to the last (missing ones too), so a gap shows as a gap."""
    span = list(range(min(years), max(years) + 1)) if years else []
    ax.set_xticks(span)
    ax.set_xticklabels([str(y) for y in span])
    if span:
        ax.set_xlim(min(span) - 0.5, max(span) + 0.5)
    ax.grid(axis="y", alpha=0.3)
    return span


def year_series(rows: pd.DataFrame, column: str) -> pd.Series:
    """``column`` by year over the series' whole span: a year without data is NaN, so the
    line breaks there instead of joining its neighbours."""
    values = rows.dropna(subset=[column]).set_index("year")[column]
    if values.empty:
        return values
    years = range(int(values.index.min()), int(values.index.max()) + 1)
    return values.groupby(level=0).first().reindex(years)


def _mark_missing(ax: Axes, span: list[int], present: set[int]) -> bool:
    """Shade the years in ``span`` that have no data for the province; True if any."""
    missing = [y for y in span if y not in present]
    for year in missing:
        ax.axvspan(year - 0.4, year + 0.4, color=GAP_COLOUR, alpha=0.5, zorder=0, lw=0)
        ax.text(
            year,
            0.5,
            "Tỉnh chưa\ncó số liệu",
            transform=ax.get_xaxis_transform(),
            ha="center",
            va="center",
            fontsize=8,
            color="#566573",
        )
    return bool(missing)


# One colour per home province of a basis: after the 2025 merger the home province has two
# pre-merger provinces on the 63 basis, each with its own rank line.
HOME_COLOURS = {63: (HOME_COLOUR, "#e67e22", "#7b241c"), 34: ("#7d3c98", "#117864", "#1f618d")}


def _home_lines(home: pd.DataFrame) -> list[tuple[int, str, pd.DataFrame]]:
    """(basis, colour, rows) for each home province of each basis: never two provinces on one
    line, whose yearly values would otherwise be merged."""
    lines = []
    for basis, by_basis in home.groupby("basis", sort=True):
        palette = HOME_COLOURS.get(int(basis), (HOME_COLOUR,))
        for i, (_, rows) in enumerate(by_basis.groupby("province_id", sort=True)):
            lines.append((int(basis), palette[i % len(palette)], rows))
    return lines


def _home_label(rows: pd.DataFrame, basis: object) -> str:
    names = rows["province_name"].dropna().unique()
    name = " / ".join(str(n) for n in names) if len(names) else "Tỉnh"
    return f"{name} (trên {basis} tỉnh, thành)"


def dti_rank_figure(dti: pd.DataFrame) -> Figure:
    """The home province's published DTI rank per year and basis (rank 1 at the top); gaps
    stay gaps."""
    dti = published_dti(dti)
    home = dti[dti["is_home_province"] & dti["rank"].notna()].sort_values("year")
    fig, ax = plt.subplots(figsize=(8, 3.8))
    for basis, colour, rows in _home_lines(home):
        ranks = year_series(rows, "rank")
        ax.plot(
            ranks.index,
            ranks.values,
            marker="o",
            color=colour,
            label=_home_label(rows, basis),
        )
        for year, rank, n in zip(rows["year"], rows["rank"], rows["n_ranked"], strict=True):
            ax.annotate(
                f"{int(rank)}/{int(n)}" if pd.notna(n) else f"{int(rank)}",
                (year, rank),
                textcoords="offset points",
                xytext=(0, 8),
                ha="center",
                fontsize=9,
            )
    ax.invert_yaxis()
    ax.margins(y=0.2)  # room for the labels above the best rank
    # the margins reach above rank 1 and below the last rank: ticks there would read as ranks
    # 0, -10 or 72 of 63
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    last = home["n_ranked"].max() if "n_ranked" in home and home["n_ranked"].notna().any() else None
    ticks = [t for t in ax.get_yticks() if t >= 1 and (last is None or t <= last)]
    ax.set_yticks(sorted({1.0, *ticks}) if len(home) else ticks)
    ax.set_ylabel("Thứ hạng DTI (1 là cao nhất)")
    ax.set_title("Thứ hạng Chỉ số chuyển đổi số (DTI) qua các năm")
    span = _year_axis(ax, sorted({int(y) for y in dti["year"]}))
    _mark_missing(ax, span, {int(y) for y in home["year"]})
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, fontsize=8, frameon=False)
    return fig


def dti_score_figure(dti: pd.DataFrame) -> Figure:
    """The home province's published DTI score against the national mean and the other
    provinces; the warehouse's own estimates are not plotted."""
    dti = published_dti(dti)
    fig, ax = plt.subplots(figsize=(8, 4.2))
    peers = dti[~dti["is_home_province"] & dti["score"].notna()]
    ax.scatter(
        peers["year"],
        peers["score"],
        color=PEER_COLOUR,
        s=18,
        label="Các tỉnh, thành khác (đã công bố)",
    )
    means = dti[["year", "national_mean"]].dropna().drop_duplicates("year").sort_values("year")
    if not means.empty:
        mean = year_series(means, "national_mean")
        ax.plot(
            mean.index,
            mean.values,
            color=MEAN_COLOUR,
            linestyle="--",
            marker="s",
            label="Trung bình cả nước",
        )
    home = dti[dti["is_home_province"] & dti["score"].notna()].sort_values("year")
    for basis, colour, rows in _home_lines(home):
        scores = year_series(rows, "score")
        ax.plot(
            scores.index,
            scores.values,
            color=colour,
            marker="o",
            linestyle="-" if basis == 63 else ":",
            label=_home_label(rows, basis),
        )
    ax.set_ylim(0, 1)
    ax.set_ylabel("Điểm DTI (0–1)")
    ax.set_title("Điểm DTI so với trung bình cả nước và các tỉnh, thành khác")
    span = _year_axis(ax, sorted({int(y) for y in dti["year"]}))
    _mark_missing(ax, span, {int(y) for y in home["year"]})
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, fontsize=8, frameon=False)
    return fig


def _province_bands(ax: Axes, periods: list[str], province_of: dict[str, str]) -> None:
    """Name the province above the periods it reported for, with a line where it changed."""
    runs: list[tuple[str, int, int]] = []  # (province, first index, last index)
    for i, period in enumerate(periods):
        name = province_of.get(period, "")
        if runs and runs[-1][0] == name:
            runs[-1] = (name, runs[-1][1], i)
        else:
            runs.append((name, i, i))
    if len(runs) < 2:
        return
    for name, first, last in runs:
        ax.text(
            (first + last) / 2 + 0.4,
            1.02,
            name,
            transform=ax.get_xaxis_transform(),
            ha="center",
            va="bottom",
            fontsize=8,
            fontweight="bold",
            color="#1a5276",
        )
        if first > 0:
            ax.axvline(first - 0.1, color="#1a5276", linestyle="--", linewidth=1)


def staffing_figure(staffing: pd.DataFrame, province_of: dict[str, str] | None = None) -> Figure:
    """Dedicated and concurrent staff per period, one bar group per unit level.

    ``province_of`` (period → province name) labels the periods of each province, so data
    on both sides of a merger are not read as one province's trend.
    """
    periods = sorted(staffing["period_id"].unique())
    levels = [lv for lv in UNIT_LEVELS if lv in set(staffing["unit_level"])]
    fig, ax = plt.subplots(figsize=(9, 4.2))
    width = 0.8 / max(len(levels), 1)
    for i, level in enumerate(levels):
        rows = staffing[staffing["unit_level"] == level].set_index("period_id").reindex(periods)
        x = [p + i * width for p in range(len(periods))]
        dedicated = rows["n_dedicated"].fillna(0)
        ax.bar(
            x,
            dedicated,
            width,
            color=DEDICATED_COLOUR,
            edgecolor="white",
            label="Chuyên trách" if i == 0 else None,
        )
        ax.bar(
            x,
            rows["n_concurrent"].fillna(0),
            width,
            bottom=dedicated,
            color=CONCURRENT_COLOUR,
            edgecolor="white",
            label="Kiêm nhiệm" if i == 0 else None,
        )
        for xi, total in zip(x, rows["n_staff"].fillna(0), strict=True):
            ax.annotate(
                f"{int(total)}",
                (xi, total),
                textcoords="offset points",
                xytext=(0, 2),
                ha="center",
                fontsize=7,
            )
    ax.set_xticks([p + width * (len(levels) - 1) / 2 for p in range(len(periods))])
    ax.set_xticklabels(periods)
    ax.set_ylabel("Số người")
    ax.margins(y=0.12)
    ax.set_title(
        "Nhân lực CĐS theo kỳ báo cáo, mỗi kỳ một cột cho từng cấp ("
        + ", ".join(label(UNIT_LEVELS, lv) for lv in levels)
        + ")",
        fontsize=9,
        pad=18 if province_of else 6,
    )
    if province_of:
        _province_bands(ax, periods, province_of)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=2, frameon=False)
    ax.grid(axis="y", alpha=0.3)
    return fig


def compliance_figure(compliance: pd.DataFrame, period_id: str) -> Figure:
    """Units on time, late and missing per level for one period (legend beside the bars)."""
    rows = compliance[compliance["period_id"] == period_id]
    levels = [label(UNIT_LEVELS, lv) for lv in rows["unit_level"]]
    fig, ax = plt.subplots(figsize=(8, 0.7 + 0.6 * max(len(levels), 1)))
    left = pd.Series([0] * len(rows), index=rows.index, dtype="float64")
    for column, colour in COMPLIANCE_COLOURS.items():
        values = rows[column].astype("float64")
        bars = ax.barh(levels, values, left=left, color=colour, label=COMPLIANCE_LABELS[column])
        ax.bar_label(
            bars,
            labels=[f"{int(v)}" if v > 0 else "" for v in values],
            label_type="center",
            fontsize=8,
            color="white",
            fontweight="bold",
        )
        left = left + values
    ax.invert_yaxis()
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("Số đơn vị")
    ax.set_title(f"Tình hình nộp báo cáo kỳ {period_id}")
    # outside the axes: a legend inside would cover the longest bar
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    return fig


def dti_rank_chart(dti: pd.DataFrame, path: Path) -> Path:
    """:func:`dti_rank_figure` as a PNG at ``path``."""
    return _save(dti_rank_figure(dti), path)


def dti_score_chart(dti: pd.DataFrame, path: Path) -> Path:
    """:func:`dti_score_figure` as a PNG at ``path``."""
    return _save(dti_score_figure(dti), path)


def staffing_chart(
    staffing: pd.DataFrame, path: Path, province_of: dict[str, str] | None = None
) -> Path:
    """:func:`staffing_figure` as a PNG at ``path``."""
    return _save(staffing_figure(staffing, province_of), path)


def compliance_chart(compliance: pd.DataFrame, period_id: str, path: Path) -> Path:
    """:func:`compliance_figure` as a PNG at ``path``."""
    return _save(compliance_figure(compliance, period_id), path)
