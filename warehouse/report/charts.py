"""The scorecard's PNG charts (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from warehouse.report.labels import UNIT_LEVELS, label

HOME_COLOUR = "#c0392b"
MEAN_COLOUR = "#2c3e50"
PEER_COLOUR = "#95a5a6"
DEDICATED_COLOUR = "#2471a3"
CONCURRENT_COLOUR = "#85c1e9"
COMPLIANCE_COLOURS = {"n_on_time": "#27ae60", "n_late": "#f39c12", "n_missing": "#c0392b"}
COMPLIANCE_LABELS = {"n_on_time": "Đúng hạn", "n_late": "Nộp muộn", "n_missing": "Chưa nộp"}


def _save(fig: Figure, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _year_axis(ax: plt.Axes, years: list[int]) -> None:
    ax.set_xticks(years)
    ax.set_xticklabels([str(y) for y in years])
    ax.grid(axis="y", alpha=0.3)


def dti_rank_chart(dti: pd.DataFrame, path: Path) -> Path:
    """The home province's DTI rank per year and basis (rank 1 at the top)."""
    home = dti[dti["is_home_province"] & dti["rank"].notna()].sort_values("year")
    fig, ax = plt.subplots(figsize=(7, 3.6))
    for basis, rows in home.groupby("basis"):
        ax.plot(
            rows["year"],
            rows["rank"],
            marker="o",
            color=HOME_COLOUR if basis == 63 else MEAN_COLOUR,
            label=f"Xếp hạng ({basis} tỉnh, thành)",
        )
        for year, rank, n in zip(rows["year"], rows["rank"], rows["n_ranked"], strict=True):
            ax.annotate(
                f"{int(rank)}/{int(n)}" if pd.notna(n) else f"{int(rank)}",
                (year, rank),
                textcoords="offset points",
                xytext=(0, 8),
                ha="center",
            )
    ax.invert_yaxis()
    ax.set_ylabel("Thứ hạng DTI")
    ax.set_title("Thứ hạng Chỉ số chuyển đổi số (DTI) của tỉnh qua các năm")
    _year_axis(ax, sorted({int(y) for y in dti["year"]}))
    ax.legend(loc="lower left", fontsize=8)
    return _save(fig, path)


def dti_score_chart(dti: pd.DataFrame, path: Path) -> Path:
    """The home province's DTI score against the national mean and the other provinces."""
    fig, ax = plt.subplots(figsize=(7, 4.2))
    peers = dti[~dti["is_home_province"] & dti["score"].notna()]
    ax.scatter(
        peers["year"],
        peers["score"],
        color=PEER_COLOUR,
        s=18,
        label="Các tỉnh, thành khác (đã công bố)",
    )
    means = dti[["year", "national_mean"]].dropna().drop_duplicates().sort_values("year")
    if not means.empty:
        ax.plot(
            means["year"],
            means["national_mean"],
            color=MEAN_COLOUR,
            linestyle="--",
            marker="s",
            label="Trung bình cả nước",
        )
    home = dti[dti["is_home_province"] & dti["score"].notna()].sort_values("year")
    for basis, rows in home.groupby("basis"):
        ax.plot(
            rows["year"],
            rows["score"],
            color=HOME_COLOUR,
            marker="o",
            linestyle="-" if basis == 63 else ":",
            label=f"Tỉnh ({basis} tỉnh, thành)",
        )
    ax.set_ylim(0, 1)
    ax.set_ylabel("Điểm DTI (0–1)")
    ax.set_title("Điểm DTI so với trung bình cả nước và các tỉnh, thành khác")
    _year_axis(ax, sorted({int(y) for y in dti["year"]}))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, fontsize=8)
    return _save(fig, path)


def staffing_chart(staffing: pd.DataFrame, path: Path) -> Path:
    """Dedicated and concurrent staff per period, one bar group per unit level."""
    periods = sorted(staffing["period_id"].unique())
    levels = [lv for lv in UNIT_LEVELS if lv in set(staffing["unit_level"])]
    fig, ax = plt.subplots(figsize=(8, 3.8))
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
    ax.set_title(
        "Nhân lực CĐS theo kỳ báo cáo (" + ", ".join(label(UNIT_LEVELS, lv) for lv in levels) + ")",
        fontsize=9,
    )
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    return _save(fig, path)


def compliance_chart(compliance: pd.DataFrame, period_id: str, path: Path) -> Path:
    """Units on time, late and missing per level for one period."""
    rows = compliance[compliance["period_id"] == period_id]
    levels = [label(UNIT_LEVELS, lv) for lv in rows["unit_level"]]
    fig, ax = plt.subplots(figsize=(7, 2.8))
    left = pd.Series([0] * len(rows), index=rows.index, dtype="float64")
    for column, colour in COMPLIANCE_COLOURS.items():
        values = rows[column].astype("float64")
        ax.barh(levels, values, left=left, color=colour, label=COMPLIANCE_LABELS[column])
        left = left + values
    ax.invert_yaxis()
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("Số đơn vị")
    ax.set_title(f"Tình hình nộp báo cáo kỳ {period_id}")
    ax.legend(fontsize=8, loc="lower right")
    return _save(fig, path)
