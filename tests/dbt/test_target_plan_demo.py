"""What would move the plan, on the demo: each target's projection to its deadline and the units
that hold each unit-level target back. Expectations are recomputed from fct_target_progress
(the measured series) and the plan-target seed, never written as literals."""

from __future__ import annotations

import csv
import datetime as dt

import duckdb
import numpy as np
import pytest

from core.settings import DBT_PROJECT_DIR, Settings

# the method of int_target_trends: the last 4 like-for-like periods, at least 3
N_PERIODS, MIN_PERIODS = 4, 3


def _published(settings: Settings) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(settings.published_db), read_only=True)


def _plan_targets() -> dict[str, dict[str, str]]:
    with (DBT_PROJECT_DIR / "seeds" / "plan_targets.csv").open(encoding="utf-8") as handle:
        return {row["target_id"]: row for row in csv.DictReader(handle)}


def _unit_level_targets() -> list[str]:
    """Shares met unit by unit: a fixed threshold of 100 %."""
    return sorted(
        t
        for t, row in _plan_targets().items()
        if row["metric"].startswith("share") and row["threshold_rule"] == "at_least_value"
    )


def _months(a: dt.date, b: dt.date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


def test_each_unit_list_sums_to_the_gap_it_explains(demo_warehouse: Settings) -> None:
    """Closing every listed unit's lack meets the target, in every scope and due period."""
    targets = _unit_level_targets()
    assert targets, "the seed has unit-level targets"
    with _published(demo_warehouse) as con:
        progress = con.execute(
            """
            select target_id, scope, period_id, numerator, denominator, threshold_value, gap
            from marts.fct_target_progress
            where not is_period_in_progress and actual_value is not null
              and list_contains(?, target_id)
            """,
            [targets],
        ).fetchall()
        lists = {
            (t, s, p): (n, moved, ranks)
            for t, s, p, n, moved, ranks in con.execute(
                """
                select target_id, scope, period_id, sum(n_lacking), sum(share_of_target_moved),
                       list(holdback_rank order by n_lacking desc, holdback_rank)
                from marts.fct_target_holdbacks
                group by all
                """
            ).fetchall()
        }
    short = 0
    for target, scope, period, numerator, denominator, threshold, gap in progress:
        n_lacking, moved, ranks = lists.pop((target, scope, period), (0, 0.0, []))
        # every lack closed: the numerator reaches the threshold over the same denominator
        assert numerator + n_lacking == pytest.approx(threshold * denominator), (
            target,
            scope,
            period,
        )
        assert moved == pytest.approx(gap, abs=1e-9), (target, scope, period)
        # ordered by how much closing each lack moves the target
        assert ranks == sorted(ranks), (target, scope, period)
        short += gap > 0
    assert short > 0, "the demo has targets short of 100 % with units listed"
    assert not lists, f"units listed for no measured target: {sorted(lists)[:3]}"


def test_the_unit_lists_say_what_each_unit_lacks(demo_warehouse: Settings) -> None:
    with _published(demo_warehouse) as con:
        rows = con.execute(
            """
            select target_id, lack_reason, n_lacking, lack_vi, unit_name
            from marts.fct_target_holdbacks
            where scope like 'successor:%'
            """
        ).fetchall()
    reasons = {(t, r) for t, r, *_ in rows}
    assert ("T2030_ANNUAL_TRAINING", "staff_untrained") in reasons
    for _, reason, n_lacking, lack_vi, unit_name in rows:
        assert unit_name, "every listed unit is named"
        if reason in ("staff_untrained", "members_without_platform_access"):
            assert lack_vi.startswith(f"{n_lacking} "), lack_vi
        else:
            assert n_lacking == 1


def _series(con: duckdb.DuckDBPyConnection, target: str, scope: str) -> list[tuple]:
    return con.execute(
        """
        select progress.period_id, periods.start_date, periods.end_date, progress.actual_value
        from marts.fct_target_progress as progress
        inner join marts.dim_period as periods on progress.period_id = periods.period_id
        where progress.target_id = ? and progress.scope = ?
          and not progress.is_period_in_progress and progress.actual_value is not null
        order by periods.end_date
        """,
        [target, scope],
    ).fetchall()


def test_targets_with_enough_periods_are_projected_by_least_squares(
    demo_warehouse: Settings,
) -> None:
    """Today's province (restated): the 2030 targets are projected from the last 4 periods by
    an ordinary least-squares line (recomputed here with numpy), with a range around it; the
    2025 targets, whose deadline has passed, are judged on their measured verdict."""
    seed = _plan_targets()
    with _published(demo_warehouse) as con:
        rows = con.execute(
            """
            select target_id, scope, projection_status, as_of_period_id, n_periods_used,
                   projected_value, projected_low, projected_high, deadline_date, verdict_status,
                   is_share, status_vi
            from marts.fct_target_projections
            where scope like 'successor:%'
            """
        ).fetchall()
        series = {(t, s): _series(con, t, s) for t, s, *_ in rows}
    assert {t for t, *_ in rows} == set(seed)
    projected = drops = 0
    for (target, scope, status, as_of, n_used, value, low, high, deadline, verdict, is_share,
         sentence) in rows:  # fmt: skip
        assert sentence
        if deadline is None or not seed[target]["metric"]:
            assert value is None
            continue
        points = series[(target, scope)]
        if seed[target]["metric"].endswith("year_to_date"):  # a yearly value: year ends only
            points = [p for p in points if (p[2].month, p[2].day) == (12, 31)]
        if points[-1][2] >= deadline:
            assert status in ("achieved_at_deadline", "missed_at_deadline")
            assert status.removesuffix("_at_deadline") == verdict
            assert value is None
            continue
        last = points[-N_PERIODS:]
        assert (as_of, n_used) == (last[-1][0], len(last))
        if len(last) < MIN_PERIODS:
            assert status == "too_few_periods" and value is None
            assert "chưa đủ kỳ để dự báo" in sentence.lower()
            continue
        step = 12 if seed[target]["metric"].endswith("year_to_date") else 6
        x = np.array([_months(last[-1][2], p[2]) / step for p in last])
        y = np.array([p[3] for p in last])
        slope, intercept = np.polyfit(x, y, 1)
        residuals = y - (intercept + slope * x)
        spread = float(np.sqrt((residuals**2).sum() / (len(last) - 2)))
        line = intercept + slope * _months(last[-1][2], deadline) / step
        top = 1.0 if is_share else float("inf")
        assert value == pytest.approx(min(max(line, 0.0), top), abs=1e-6)
        assert low == pytest.approx(min(max(line - 2 * spread, 0.0), top), abs=1e-6)
        assert high == pytest.approx(min(max(line + 2 * spread, 0.0), top), abs=1e-6)
        # a line can point up while the latest step went down: the sentence says so then only
        went_down = last[-2][3] > last[-1][3] + 1e-9
        assert ("gần nhất giảm" in sentence) == went_down, sentence
        drops += went_down
        projected += 1
    assert projected >= 2, "both 2030 targets are projected on the demo"
    assert drops >= 1, "the demo's training share fell in 2025: the sentence must say so"
