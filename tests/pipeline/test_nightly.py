"""The run summary an operator reads in the morning."""

from __future__ import annotations

from typing import Any

from pipeline.nightly import MAX_LISTED_REJECTED, format_summary


def _summary(**parts: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "run_id": "night-7",
        "ingest": {"files_new": 3, "files_seen": 10, "files_rejected": 0, "rejected": []},
        "ingest_dti": {},
        "plan": {"build": True, "reasons": ["new or changed files"]},
        "build": {"models_ok": 17, "tests_passed": 159, "tests_failed": 0, "errors": 0},
        "validate": {"gate": "open", "expectations_passed": 5, "expectations_total": 5},
        "publish": {"published_path": "/h/published/dx.duckdb", "version": "v2"},
    }
    base.update(parts)
    return base


def test_summary_counts_what_dbt_built() -> None:
    text = format_summary(_summary())

    assert "dbt: 17 models built, 159 tests passed" in text
    assert "built because: new or changed files" in text
    assert "(version v2)" in text


def test_summary_lists_rejected_files_and_points_to_the_feedback() -> None:
    rejected = [f"2023/{n}_sai_ma.xlsx" for n in range(MAX_LISTED_REJECTED + 3)]
    ingest = {"files_rejected": len(rejected), "rejected": rejected, "feedback_dir": "/h/feedback"}

    text = format_summary(_summary(ingest=ingest, ingest_dti={"rejected": ["dti_2020.csv"]}))

    assert (
        f"rejected files: {len(rejected) + 1} (feedback for the units: /h/feedback/index.html)"
        in text
    )
    assert "    - 2023/0_sai_ma.xlsx" in text
    assert f"    - 2023/{MAX_LISTED_REJECTED + 2}_sai_ma.xlsx" not in text
    assert "... and 4 more in the feedback index" in text


def test_quiet_night_summary_says_so() -> None:
    plan = {
        "build": False,
        "reasons": [],
        "last_build_run": "night-6",
        "last_build_as_of": "2026-11-30",
    }

    text = format_summary(_summary(plan=plan, build={}, validate={}, publish={}))

    assert "a quiet night" in text and "night-6" in text
    assert "published: unchanged" in text
    assert "dbt:" not in text


def test_summary_without_dbt_results_does_not_claim_zero() -> None:
    text = format_summary(_summary(build={}))

    assert "0 models built" not in text
    assert "dbt: no results recorded" in text
