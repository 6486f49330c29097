"""The DTI what-if: what it would take to move up, and what a given index gain would do.

Everything here is a computation on a published DTI table and the year's method weights
(``marts.fct_dti_whatif_ranks``, ``marts.fct_dti_whatif_indices``,
``marts.fct_dti_method_weights``), never a published figure, and says so wherever it is shown.
The scorecard's "Cần làm gì" section shows, for the home province of the latest year with a
full table, the gain that reaches the next band of ranks and each main index's gap to the
leader; :func:`reverse_whatif` answers "if government activity rose 0,05, the DTI and rank
would be …" (``dxwh whatif``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:  # pandas and matplotlib load when a chart or a table is made, not with the
    # command line (every dxwh command imports this module: 1.2 s of dxwh sql's start-up)
    import pandas as pd

INDEX_LABELS = {
    "nhan_thuc_so": "Nhận thức số",
    "the_che_so": "Thể chế số",
    "ha_tang_so": "Hạ tầng số",
    "nhan_luc_so": "Nhân lực số",
    "an_toan_thong_tin_mang": "An toàn thông tin mạng",
    "hoat_dong_chinh_quyen_so": "Hoạt động chính quyền số",
    "hoat_dong_kinh_te_so": "Hoạt động kinh tế số",
    "hoat_dong_xa_hoi_so": "Hoạt động xã hội số",
}
WEIGHT_SOURCES = {
    "published": "trọng số công bố",
    "least_squares": "trọng số ước lượng bằng bình phương tối thiểu (tính toán)",
    "unknown": "chưa rõ trọng số",
}
COMPUTED_NOTE = "Số liệu tính toán của kho dữ liệu, không phải số liệu công bố."
SCALE_MAX = 1.0  # DTI scores and indices are on a 0–1 scale

RANKS_SQL = """
select *
from marts.fct_dti_whatif_ranks
where year = ? and basis = ? and province_id = ? and is_next_band
"""
INDICES_SQL = """
select *
from marts.fct_dti_whatif_indices
where year = ? and basis = ? and province_id = ?
order by component_order
"""
WEIGHTS_SQL = """
select
    any_value(methodology_decision_ref) as decision_ref,
    any_value(weight_source) filter (where weight is not null) as weight_source,
    max(fit_max_abs_residual) as fit_max_abs_residual,
    max(fit_rmse) as fit_rmse,
    max(n_provinces_fitted) as n_provinces_fitted,
    max(abs(fitted_minus_published)) as max_fit_difference
from marts.fct_dti_method_weights
where year = ? and basis = ?
"""


@dataclass(frozen=True)
class IndexGap:
    """One main index of the province: its gap to the leader and what closing it would do."""

    component: str
    label: str
    score: float | None
    leader_score: float | None
    leader_province_name: str | None
    gap_to_leader: float | None
    weight: float | None
    dti_gain_if_leader: float | None
    index_gain_for_next_band: float | None
    is_reachable_alone: bool | None
    gain_per_point_order: int | None


@dataclass(frozen=True)
class ReverseResult:
    """What a change in the main indices would give: the new DTI and the rank it would have."""

    year: int
    basis: int
    province_name: str
    dti_score: float
    current_rank: int
    new_score: float
    new_rank: int
    n_ranked: int
    changes: dict[str, float]
    capped: tuple[str, ...] = ()  # indices whose gain was capped at the scale's maximum 1
    weight_source: str = ""


@dataclass(frozen=True)
class WhatIf:
    """The what-if for one province of one year and basis (the next band of ranks)."""

    year: int
    basis: int
    province_id: str
    province_name: str
    dti_score: float
    current_rank: int
    target_rank: int
    target_score: float
    target_province_name: str
    dti_gain_needed: float
    decision_ref: str | None
    weight_source: str
    fit_max_abs_residual: float | None
    n_provinces_fitted: int | None
    max_fit_difference: float | None
    indices: tuple[IndexGap, ...] = ()
    example: ReverseResult | None = None
    chart: str | None = None

    @property
    def best_index(self) -> IndexGap | None:
        """The index whose every point moves the DTI furthest."""
        ranked = [i for i in self.indices if i.gain_per_point_order is not None]
        return min(ranked, key=lambda i: i.gain_per_point_order or 0) if ranked else None


def _has_whatif(con: duckdb.DuckDBPyConnection) -> bool:
    found = con.execute(
        "select count(*) from duckdb_tables() "
        "where schema_name = 'marts' and table_name = 'fct_dti_whatif_ranks'"
    ).fetchone()
    return bool(found and found[0])


def _is_na(value: object) -> bool:
    """pandas' NA, without importing pandas (a value can only be NA once pandas is loaded)."""
    return type(value).__name__ == "NAType" and type(value).__module__.startswith("pandas")


def _float(value: object) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or _is_na(value):
        return None
    return float(value)  # type: ignore[arg-type]


def _bool(value: object) -> bool | None:
    if value is None or _is_na(value) or (isinstance(value, float) and math.isnan(value)):
        return None
    return bool(value)


def _int(value: object) -> int | None:
    number = _float(value)
    return None if number is None else int(number)


def load_whatif(
    con: duckdb.DuckDBPyConnection, year: int, basis: int, province_id: str
) -> WhatIf | None:
    """The next-band what-if of a province, or ``None`` when its table is not full (or the
    warehouse has no what-if marts, or the province is first already)."""
    if not _has_whatif(con):
        return None
    ranks = con.execute(RANKS_SQL, [year, basis, province_id]).df()
    if ranks.empty:
        return None
    rank = ranks.iloc[0]
    indices = con.execute(INDICES_SQL, [year, basis, province_id]).df()
    weights = con.execute(WEIGHTS_SQL, [year, basis]).fetchone()
    decision, source, residual, _rmse, n_fitted, difference = weights or (None,) * 6
    gaps = tuple(
        IndexGap(
            component=str(r["component"]),
            label=INDEX_LABELS.get(str(r["component"]), str(r["component"])),
            score=_float(r["index_score"]),
            leader_score=_float(r["leader_score"]),
            leader_province_name=r["leader_province_name"],
            gap_to_leader=_float(r["gap_to_leader"]),
            weight=_float(r["weight"]),
            dti_gain_if_leader=_float(r["dti_gain_if_leader"]),
            index_gain_for_next_band=_float(r["index_gain_for_next_band"]),
            is_reachable_alone=_bool(r["is_next_band_reachable_alone"]),
            gain_per_point_order=_int(r["gain_per_point_order"]),
        )
        for _, r in indices.iterrows()
    )
    what = WhatIf(
        year=year,
        basis=basis,
        province_id=province_id,
        province_name=str(rank["province_name"]),
        dti_score=float(rank["dti_score"]),
        current_rank=int(rank["current_rank"]),
        target_rank=int(rank["target_rank"]),
        target_score=float(rank["target_score"]),
        target_province_name=str(rank["target_province_name"]),
        dti_gain_needed=float(rank["dti_gain_needed"]),
        decision_ref=decision,
        weight_source=str(source or "unknown"),
        fit_max_abs_residual=_float(residual),
        n_provinces_fitted=_int(n_fitted),
        max_fit_difference=_float(difference),
        indices=gaps,
    )
    best = what.best_index
    if best is None:
        return what
    example = reverse_whatif(con, year, basis, province_id, {best.component: 0.05})
    return replace(what, example=example)


def reverse_whatif(
    con: duckdb.DuckDBPyConnection,
    year: int,
    basis: int,
    province_id: str,
    changes: Mapping[str, float],
) -> ReverseResult:
    """The DTI and rank a province would have if its main indices changed by ``changes``
    (index → gain on the 0–1 scale), the other provinces unchanged: DTI + Σ weight × gain,
    an index never above 1. Raises ``ValueError`` naming what is missing (a partial table,
    an unknown weight, an index the table does not print)."""
    unknown = [c for c in changes if c not in INDEX_LABELS]
    if unknown:
        raise ValueError(
            f"không có chỉ số chính {', '.join(unknown)} (unknown main index); "
            f"dùng một trong: {', '.join(INDEX_LABELS)}"
        )
    if not _has_whatif(con):
        raise ValueError("kho dữ liệu chưa có bảng tính toán DTI (no what-if marts): chạy lại đêm")
    table = _full_table(con, year, basis)
    own = table[table["province_id"] == province_id]
    if own.empty:
        raise ValueError(
            f"không có bảng xếp hạng đầy đủ năm {year} ({basis} tỉnh) có tỉnh mã {province_id} "
            "(no full DTI table with this province)"
        )
    indices = con.execute(INDICES_SQL, [year, basis, province_id]).df().set_index("component")
    new_score = float(own.iloc[0]["dti_score"])
    capped = []
    for component, gain in changes.items():
        if component not in indices.index or _float(indices.at[component, "weight"]) is None:
            raise ValueError(
                f"chưa rõ trọng số hoặc điểm của {INDEX_LABELS[component]} năm {year} "
                "(weight or score unknown)"
            )
        score = float(indices.at[component, "index_score"])
        applied = min(gain, SCALE_MAX - score)
        if applied < gain:
            capped.append(component)
        new_score += float(indices.at[component, "weight"]) * applied
    new_score = round(new_score, 4)  # the DTI is printed with 4 decimals
    others = table[table["province_id"] != province_id]["dti_score"]
    sources = set(indices.loc[list(changes), "weight_source"])
    return ReverseResult(
        year=year,
        basis=basis,
        province_name=str(own.iloc[0]["province_name"]),
        dti_score=float(own.iloc[0]["dti_score"]),
        current_rank=int(own.iloc[0]["dti_rank"]),
        new_score=new_score,
        new_rank=1 + int((others > new_score + 1e-9).sum()),
        n_ranked=len(table),
        changes=dict(changes),
        capped=tuple(capped),
        weight_source=", ".join(sorted(str(s) for s in sources)),
    )


def _full_table(con: duckdb.DuckDBPyConnection, year: int, basis: int) -> pd.DataFrame:
    """The published DTI table of a year and basis when it lists every province, else empty."""
    table = con.execute(
        "select province_id, province_name, score as dti_score, rank as dti_rank "
        "from marts.fct_dti_scores "
        "where component = 'dti' and is_published and score is not null "
        "and year = ? and basis = ?",
        [year, basis],
    ).df()
    return table if len(table) == basis else table.iloc[0:0]


def gap_chart(what: WhatIf, path: Path) -> Path:
    """Horizontal bars: each main index of the province against the leader's score."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [i for i in what.indices if i.score is not None and i.leader_score is not None]
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(rows) + 1.2))
    labels = [i.label for i in rows][::-1]
    own = [float(i.score or 0) for i in rows][::-1]
    leaders = [float(i.leader_score or 0) for i in rows][::-1]
    positions = range(len(rows))
    ax.barh(positions, leaders, color="#d5d8dc", label="Tỉnh dẫn đầu chỉ số")
    ax.barh(positions, own, height=0.5, color="#1a5276", label=what.province_name)
    for y, (score, leader) in enumerate(zip(own, leaders, strict=True)):
        gap = f"−{leader - score:.4f}".replace(".", ",") if leader > score else "dẫn đầu"
        ax.text(leader + 0.01, y, gap, va="center", fontsize=8)
    ax.set_yticks(list(positions), labels)
    ax.set_xlim(0, 1.12)
    ax.set_xlabel("Điểm chỉ số (0–1); số bên phải: khoảng cách tới tỉnh dẫn đầu")
    ax.set_title(
        f"Khoảng cách tới tỉnh dẫn đầu từng chỉ số chính, năm {what.year} ({what.basis} tỉnh, "
        "thành)\nSố liệu tính toán từ bảng xếp hạng đã công bố",
        fontsize=10,
    )
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=8, frameon=False)
    ax.grid(axis="x", alpha=0.3)
    fig.savefig(path, dpi=110, bbox_inches="tight", pad_inches=0.15)
    plt.close(fig)
    return path


def load_home_whatifs(con: duckdb.DuckDBPyConnection, dti: pd.DataFrame) -> tuple[WhatIf, ...]:
    """The next-band what-ifs of the home province(s) (``is_home_province`` rows of ``dti``)
    in the latest year that has any: the current basis (34) first."""
    if dti.empty or "is_home_province" not in dti or not _has_whatif(con):
        return ()
    home = dti[dti["is_home_province"].fillna(False).astype(bool)]
    keys = sorted(
        {(int(r.year), int(r.basis), str(r.province_id)) for r in home.itertuples()},
        key=lambda k: (-k[0], k[1] != 34, k[2]),
    )
    found = [w for key in keys if (w := load_whatif(con, *key)) is not None]
    if not found:
        return ()
    latest = max(w.year for w in found)
    return tuple(w for w in found if w.year == latest)


def with_charts(whatifs: tuple[WhatIf, ...], out_dir: Path) -> list[WhatIf]:
    """The what-ifs with their gap chart drawn into ``out_dir``."""
    drawn = []
    for what in whatifs:
        if any(i.score is not None for i in what.indices):
            name = f"dti_whatif_{what.year}_{what.basis}_{what.province_id}.png"
            gap_chart(what, out_dir / name)
            what = replace(what, chart=name)
        drawn.append(what)
    return drawn
