"""How a published DTI ranking is read against its scores: one rule for ingest and the GX suites.

A worse (higher) rank never has a higher score; equal ranks are ties. The mart suite applies
this rule over the merged current ranking of a year and basis, and the DTI loader applies the
same rule to a partial re-publication before it lands, so what the loader accepts cannot fail
the suite.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

# each ranked score of ``raw.dti_scores`` -> the column holding its published rank
RANKED_SCORES = {
    "dti": "rank",
    "tru_cot_chinh_quyen_so": "hang_chinh_quyen_so",
    "tru_cot_kinh_te_so": "hang_kinh_te_so",
    "tru_cot_xa_hoi_so": "hang_xa_hoi_so",
}


def rank_order_excess(
    frame: pd.DataFrame, score: str, rank: str, group_by: Sequence[str] = ("publication_id",)
) -> pd.Series:
    """How far a province's score exceeds that of any province ranked above it (≤ 0 if in order).

    Within one ranking (a publication, or a year, basis and component) a worse (higher) rank
    never has a higher score; equal ranks are ties and are not compared. Rows without a score
    or a rank are left out (missing).
    """
    result = pd.Series(np.nan, index=frame.index, dtype="float64")
    keys = list(group_by)
    usable = frame[[score, rank, *keys]].dropna()
    for _, group in usable.groupby(keys):
        lowest_score_by_rank = group.groupby(rank)[score].min().sort_index()
        # the lowest score among strictly better ranks
        floor_above = lowest_score_by_rank.cummin().shift(1)
        result.loc[group.index] = (
            group[score].astype("float64") - group[rank].map(floor_above).astype("float64")
        ).to_numpy()
    return result


def rank_order_shortfall(
    frame: pd.DataFrame, score: str, rank: str, group_by: Sequence[str] = ("publication_id",)
) -> pd.Series:
    """How far a province's score falls below that of any province ranked under it (≤ 0 if in
    order): :func:`rank_order_excess` read from the bottom, so a row set too low is named too,
    not only the rows it makes look too high."""
    mirrored = frame[[score, rank, *group_by]].copy()
    mirrored[score] = -mirrored[score].astype("float64")
    mirrored[rank] = -mirrored[rank].astype("float64")
    return rank_order_excess(mirrored, score, rank, group_by)
