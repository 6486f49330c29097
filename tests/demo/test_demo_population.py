"""The generator allocates the plan's figures exactly, before any file is written."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter

import pytest

from core.periods import period_end_date
from ingest.demo.generate import ALL_LEVELS, _commune_totals, _reporting_units
from ingest.demo.plan import PERIOD_PLANS, plan_for
from ingest.demo.population import headcount, period_submissions
from ingest.demo.writers import to_cp1258
from ingest.registry import REORGANISED_ON, build_registry, successor_provinces

UNITS = build_registry()
SEED = 2023


@pytest.mark.parametrize(
    ("province", "period"),
    [("49", p) for p in PERIOD_PLANS if period_end_date(p) < REORGANISED_ON]
    + [("48", p) for p in PERIOD_PLANS],
)
def test_each_period_follows_its_plan(province: str, period: str) -> None:
    plan = plan_for(province, period)
    on = period_end_date(period)
    active = [u for u in UNITS if u.is_active(on) and u.province_code == province]
    subs = period_submissions(5, active, period, plan)
    upper = [s for s in subs if s.unit.unit_level != "commune"]
    staff = [p for s in upper for p in s.staff]
    it_degree = [
        p
        for p in staff
        if p["education_level"] in ("Đại học", "Thạc sĩ", "Tiến sĩ")
        and p["field_of_study"] in ("CNTT", "An toàn thông tin")
    ]
    focal = [s for s in subs if s.header["has_dx_focal_point"] == "Có"]
    assert len(subs) == len(active)
    assert sum(s.n_dedicated for s in upper) == plan.n_dedicated
    assert sum(s.n_concurrent for s in upper) == plan.n_concurrent
    assert len(it_degree) == round(len(staff) * plan.share_it_degree)
    assert len(focal) == round(len(active) * plan.share_focal)


def test_people_stay_in_their_unit_from_period_to_period() -> None:
    on = dt.date(2023, 12, 31)
    active = [u for u in UNITS if u.is_active(on) and u.unit_level != "commune"]
    names = {
        period: {
            s.unit.unit_id: [p["full_name"] for p in s.staff]
            for s in period_submissions(5, active, period, PERIOD_PLANS[period])
        }
        for period in ("2023", "2024-H1")
    }
    for unit_id, people in names["2023"].items():
        later = names["2024-H1"][unit_id]
        assert later[: len(people)] == people or people[: len(later)] == later


def test_windows_1258_keeps_tone_marks_as_combining_characters() -> None:
    text = "Nguyễn Thị Ánh, Quế Sơn, Điện Bàn"
    encoded = to_cp1258(text)
    assert unicodedata.normalize("NFC", encoded.decode("cp1258")) == text


def test_each_of_the_34_carries_its_own_predecessors_headcount() -> None:
    """At national scale, a new province's 2025-H2 headcount is what its own predecessors
    reported in 2025-H1 plus the posts the plan adds, not the whole country's."""
    units = build_registry("national")
    successor = successor_provinces()
    totals = _commune_totals(units, ("2025-H2",), ALL_LEVELS, SEED)
    before: Counter[str] = Counter()
    for code, active in _reporting_units(units, "2025-H1", ALL_LEVELS).items():
        before[successor[code]] += headcount(SEED, active, plan_for(code, "2025-H1"))
    plan = PERIOD_PLANS["2025-H2"]
    assert plan.n_added_at_reorganisation is not None
    after = {
        code: headcount(SEED, active, plan, totals[(code, "2025-H2")])
        for code, active in _reporting_units(units, "2025-H2", ALL_LEVELS).items()
    }
    assert len(after) == 34
    assert after == {code: before[code] + plan.n_added_at_reorganisation for code in after}
