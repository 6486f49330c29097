"""``raw.dti_scores`` and ``raw.dti_publications``: passing and failing batches.

The clean batch uses real published 2022 figures (``shared/data/dti_published_facts.csv``):
their QĐ 922 residuals are within ±0.0001.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from expectations.suites.raw_dti import (
    MAIN_INDICES,
    RAW_DTI_PUBLICATIONS,
    RAW_DTI_SCORES,
)

# 2022, 63 basis: Đà Nẵng 1, TP. Hồ Chí Minh 2, Quảng Ninh 3 (dti then the 8 main indices)
PUBLISHED_2022 = [
    ("48", 1, 0.8002, [1.0000, 0.9000, 0.8253, 0.8487, 0.7578, 0.8575, 0.7836, 0.5197]),
    ("79", 2, 0.7163, [0.8917, 0.9000, 0.8258, 0.6267, 0.5580, 0.8406, 0.7611, 0.3590]),
    ("22", 3, 0.7024, [0.9581, 0.9000, 0.7648, 0.6250, 0.5382, 0.8385, 0.5904, 0.4505]),
]


def _scores(**overrides: list[object]) -> pd.DataFrame:
    rows = []
    for i, (province_id, rank, dti, indices) in enumerate(PUBLISHED_2022, start=1):
        rows.append(
            {
                "publication_id": "p2022",
                "row_number": i,
                "year": 2022,
                "basis": 63,
                "province_id": province_id,
                "rank": rank,
                "n_ranked": 63,
                "dti": dti,
                **dict(zip(MAIN_INDICES, indices, strict=True)),
                "tru_cot_chinh_quyen_so": None,
                "hang_chinh_quyen_so": None,
                "tru_cot_kinh_te_so": None,
                "hang_kinh_te_so": None,
                "tru_cot_xa_hoi_so": None,
                "hang_xa_hoi_so": None,
            }
        )
    frame = pd.DataFrame(rows)
    for column, values in overrides.items():
        frame[column] = values
    return frame


def test_raw_dti_scores_pass_on_published_figures(failures: Any) -> None:
    assert failures(RAW_DTI_SCORES, _scores()) == {}


def test_raw_dti_scores_pass_when_empty(failures: Any) -> None:
    assert failures(RAW_DTI_SCORES, _scores().iloc[0:0]) == {}


def test_raw_dti_scores_ties_share_a_rank(failures: Any) -> None:
    # 2022: Thanh Hóa and Yên Bái share 15th; a tie is not an ordering error
    tied = _scores(rank=[15, 15, 17], dti=[0.6100, 0.6100, 0.6000])
    tied["year"] = 2020  # another framework: no formula residual to check
    assert failures(RAW_DTI_SCORES, tied) == {}


@pytest.mark.parametrize(
    ("overrides", "broken", "severity"),
    [
        (
            {"hoat_dong_xa_hoi_so": [0.5197, 35.90, 0.4505]},
            "hoat_dong_xa_hoi_so is on the 0–1 scale",
            "critical",
        ),
        (
            {"rank": [1, 3, 2]},
            "rank is consistent with dti (no better score ranked lower)",
            "critical",
        ),
        ({"basis": [63, 64, 63]}, "basis is 63 or 34 provinces", "critical"),
        ({"n_ranked": [63, 63, 70]}, "provinces ranked ≤ basis size", "critical"),
        ({"province_id": ["48", "48", "22"]}, "one row per province in a publication", "critical"),
        # two indices swapped while reading: the weighted sum is off by far more than rounding
        (
            {
                "hoat_dong_chinh_quyen_so": [0.8575, 0.7611, 0.8385],
                "hoat_dong_kinh_te_so": [0.7836, 0.8406, 0.5904],
            },
            "QĐ 922 formula residual < 0.001 (2021–2023): no misread index",
            "critical",
        ),
        # a rounding slip above ±0.0001 is recorded, not blocking
        (
            {"dti": [0.8004, 0.7163, 0.7024]},
            "QĐ 922 formula residual ≤ 0.0001 (2021–2023)",
            "warning",
        ),
    ],
)
def test_raw_dti_scores_fail_on_a_broken_rule(
    failures: Any, overrides: dict[str, list[object]], broken: str, severity: str
) -> None:
    failed = failures(RAW_DTI_SCORES, _scores(**overrides))
    assert broken in failed
    assert failed[broken].severity == severity


def _publications(**overrides: list[object]) -> pd.DataFrame:
    data: dict[str, list[object]] = {
        "publication_id": ["p2022", "p2024"],
        "source_file": ["dti_2022.html", "dti_2024_34.csv"],
        "file_format": ["html", "csv"],
        "year": [2022, 2024],
        "basis": [63, 34],
        "is_partial": [False, True],
        "n_rows": [63, 5],
        "n_rows_loaded": [63, 5],
    }
    data.update(overrides)
    return pd.DataFrame(data)


def test_raw_dti_publications_pass_on_a_clean_batch(failures: Any) -> None:
    assert failures(RAW_DTI_PUBLICATIONS, _publications()) == {}


def test_raw_dti_publications_fail_when_rows_are_lost_or_too_many(failures: Any) -> None:
    failed = failures(RAW_DTI_PUBLICATIONS, _publications(n_rows=[63, 40], n_rows_loaded=[62, 40]))
    assert set(failed) == {
        "a publication lists at most one row per province of its basis",
        "every row of a publication is loaded into raw.dti_scores",
    }
