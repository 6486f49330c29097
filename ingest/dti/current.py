"""A partial DTI re-publication read against the ranking it will be merged into.

dbt (``int_dti_scores_current``) merges a partial re-publication over what is current for its
year and basis: it supersedes only the provinces it lists. The mart suite then checks that ranks
follow scores across the merged ranking. This module applies that merge and that rule
(:mod:`core.dti_ranking`) at load, so a row that would break the merged ranking is quarantined
instead of closing the quality gate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import pandas as pd

from core.db import Block, block_frame
from core.dti_ranking import RANKED_SCORES, rank_order_excess, rank_order_shortfall

RANKING_COLUMNS = ("province_id", "province_name", *RANKED_SCORES, *RANKED_SCORES.values())
_HISTORY_QUERY = f"""
select {", ".join(f"scores.{c}" for c in RANKING_COLUMNS)},
    scores.row_number, publications.arrival_seq, publications.is_partial
from raw.dti_scores as scores
inner join raw.dti_publications as publications using (publication_id)
where scores.year = ? and scores.basis = ?
"""


@dataclass(frozen=True)
class Contradiction:
    """A new row whose ``rank_column`` disagrees with ``other``'s score and rank."""

    province_id: str
    score_column: str
    rank_column: str
    score: float
    rank: int
    other: str
    other_score: float
    other_rank: int


def pending_rows(landed: Sequence[dict[str, Block]], year: int, basis: int) -> pd.DataFrame:
    """Rows of publications landed earlier in this batch (not yet written) for a year and
    basis, with their publication's ``arrival_seq`` and ``is_partial``."""
    frames = []
    for tables in landed:
        pubs, scores = tables.get("raw.dti_publications"), tables.get("raw.dti_scores")
        if not pubs or not scores:
            continue
        pub = block_frame(pubs).iloc[0]
        if (pub["year"], pub["basis"]) != (year, basis):
            continue
        frame = block_frame(scores)[[*RANKING_COLUMNS, "row_number"]]
        frames.append(frame.assign(arrival_seq=pub["arrival_seq"], is_partial=pub["is_partial"]))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def current_ranking(
    con: duckdb.DuckDBPyConnection, year: int, basis: int, pending: pd.DataFrame
) -> pd.DataFrame:
    """Per province, the row dbt will call current for ``year`` and ``basis``: the latest
    complete publication supersedes all before it, a later partial one only the provinces it
    lists (``pending`` are rows landed earlier in this batch)."""
    history = con.execute(_HISTORY_QUERY, [year, basis]).df()
    frames = [f for f in (history, pending) if not f.empty]
    if not frames:
        return pd.DataFrame(columns=list(RANKING_COLUMNS))
    rows = pd.concat(frames, ignore_index=True)
    complete = rows.loc[~rows["is_partial"].astype(bool), "arrival_seq"]
    since = complete.max() if not complete.empty else 0
    rows = rows[rows["arrival_seq"] >= since]
    rows = rows.sort_values(["arrival_seq", "row_number"], ascending=False)
    return rows.drop_duplicates("province_id")[list(RANKING_COLUMNS)].reset_index(drop=True)


def contradictions(current: pd.DataFrame, new: pd.DataFrame) -> list[Contradiction]:
    """The rows of ``new`` (a partial publication) that break the rank order once merged over
    ``current``: a row ranked below one with a lower score, or above one with a higher score
    (ties are not compared; the same zero tolerance as the mart suite).

    Each row is first read alone against the current ranking, so one wrong row does not take
    the rows it contradicts with it. A quarantined row leaves its province's current row in
    place, which may contradict another new row, so the rows kept are then read together until
    they agree with the merged ranking.
    """
    found: dict[str, Contradiction] = {}
    for i in range(len(new)):
        found.update(_broken(current, new.iloc[[i]]))
    while True:
        kept = new[~new["province_id"].isin(list(found))]
        this_round = _broken(current, kept)
        if not this_round:
            return list(found.values())
        found.update(this_round)


def _broken(current: pd.DataFrame, new: pd.DataFrame) -> dict[str, Contradiction]:
    """Rows of ``new`` out of rank order once merged over ``current``, by province."""
    others = current[~current["province_id"].isin(list(new["province_id"]))]
    merged = pd.concat(
        [others.assign(is_new=False), new.assign(is_new=True)], ignore_index=True
    ).assign(ranking=0)
    broken: dict[str, Contradiction] = {}
    for score, rank in RANKED_SCORES.items():
        merged[score] = pd.to_numeric(merged[score], errors="coerce").astype("float64")
        merged[rank] = pd.to_numeric(merged[rank], errors="coerce").astype("float64")
        too_high = rank_order_excess(merged, score, rank, ("ranking",)) > 0
        too_low = rank_order_shortfall(merged, score, rank, ("ranking",)) > 0
        for i in merged.index[merged["is_new"] & (too_high | too_low)]:
            pid = str(merged.at[i, "province_id"])
            if pid not in broken:
                broken[pid] = _describe(merged, i, score, rank, bool(too_high[i]))
    return broken


def _describe(merged: pd.DataFrame, i: int, score: str, rank: str, too_high: bool) -> Contradiction:
    """The row ``i`` and the province it disagrees with most."""
    own_score, own_rank = float(merged.at[i, score]), float(merged.at[i, rank])
    usable = merged.dropna(subset=[score, rank])
    if too_high:  # the lowest score among better ranks
        other = usable.loc[usable[rank] < own_rank, score].idxmin()
    else:  # the highest score among worse ranks
        other = usable.loc[usable[rank] > own_rank, score].idxmax()
    return Contradiction(
        province_id=str(merged.at[i, "province_id"]),
        score_column=score,
        rank_column=rank,
        score=own_score,
        rank=int(own_rank),
        other=str(merged.at[other, "province_name"]),
        other_score=float(merged.at[other, score]),
        other_rank=int(merged.at[other, rank]),
    )
