"""What the demo must reproduce: the plan's published figures and the path toward its targets.

``PUBLISHED_2023`` is the seed case as the province's plan states it (DESIGN §1): 80 staff at
province and district level, 48 chuyên trách and 32 kiêm nhiệm, "hầu hết" with a university IT
degree, most trained. These are inputs of the generator, allocated across units; the warehouse
must arrive at them from the submissions alone.

``PERIOD_PLANS`` is the synthetic path toward the DESIGN §4.1 targets, period by period: Quảng
Nam until 2025-H1, then the new Đà Nẵng. ``OLD_DA_NANG_PLANS`` is legacy Đà Nẵng's (province 48
before 2025-07-01), whose reports the new city's office also holds. No published CĐS staffing
figure of legacy Đà Nẵng is known: its figures are synthetic. Both are written into the manifest
so a reader can see which outcome each target should reach:

- focal points (T2025_FOCAL_POINT) rise from 72% to 97% of units by 2025-H2 and reach 100% only
  in 2026-H1: the 2025 target is missed;
- platform access (T2025_PLATFORM_ACCESS) reaches 100% of CĐS-network members in 2025-H2:
  achieved by the deadline;
- dedicated staff (T2025_DEDICATED_STAFF), on the new city's whole territory, stays above the
  2023 baseline restated on it (Quảng Nam's 48 + legacy Đà Nẵng's, province and district level);
  from 2025-H2 there is no district level: the departments and the new communes (one dedicated
  CĐS officer each) carry the dedicated staff;
- total headcount (T2025_NO_DOWNSIZING) grows every period except 2025-H1, when both provinces
  merged departments (1 March 2025) and cut concurrent posts: that period is a decrease. The
  2025 reorganisation itself cuts no post: the staff of the abolished districts and communes move
  to the new communes and departments, so the new city's 2025-H2 headcount is its predecessors'
  2025-H1 headcount plus ``n_added_at_reorganisation`` (:func:`successor_staff_total`);
- yearly training (T2030_ANNUAL_TRAINING) stays below 100% and varies: not yet met, deadline 2030;
- network coverage (T2030_NETWORK) rises toward, but stays below, every unit.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from core.periods import period_end_date, period_year
from ingest.registry import OLD_DA_NANG, QUANG_NAM, REORGANISED_ON

PUBLISHED_2023 = {
    "province_id": QUANG_NAM,  # Quảng Nam's plan: legacy Đà Nẵng's units are not in it
    "period_id": "2023",
    "levels": ("province", "district"),
    "n_staff": 80,
    "n_dedicated": 48,
    "n_concurrent": 32,
    # "hầu hết": most, which the province reads as at least 85%
    "min_share_it_degree_university_plus": 0.85,
}


@dataclass(frozen=True)
class PeriodPlan:
    """Figures for one period. Counts are for province + district level; shares apply to the
    period's staff (or units, for focal points) at every level."""

    period_id: str
    n_dedicated: int
    n_concurrent: int
    share_it_degree: float  # university or higher, in CNTT / An toàn thông tin
    share_trained: float  # at least one CĐS training in the period
    share_network: float  # members of the CĐS network
    share_platform: float  # of network members, with access to the national platforms
    share_focal: float  # units with a CĐS unit or focal point
    commune_staff: tuple[int, int]  # staff per commune-level unit (min, max)
    # after the reorganisation: posts the new city holds beyond its predecessors' last period
    # (``None`` before it: commune staff then follow ``commune_staff``)
    n_added_at_reorganisation: int | None = None


PERIOD_PLANS: dict[str, PeriodPlan] = {
    p.period_id: p
    for p in (
        PeriodPlan("2022", 44, 30, 0.84, 0.55, 0.60, 0.70, 0.72, (1, 2)),
        PeriodPlan(
            "2023",
            PUBLISHED_2023["n_dedicated"],  # type: ignore[arg-type]
            PUBLISHED_2023["n_concurrent"],  # type: ignore[arg-type]
            0.875,
            0.80,
            0.70,
            0.78,
            0.80,
            (1, 2),
        ),
        PeriodPlan("2024-H1", 49, 33, 0.88, 0.62, 0.78, 0.86, 0.86, (1, 3)),
        PeriodPlan("2024-H2", 50, 35, 0.89, 0.74, 0.85, 0.92, 0.92, (1, 3)),
        PeriodPlan("2025-H1", 52, 28, 0.90, 0.68, 0.90, 0.97, 0.95, (1, 3)),
        # the new Đà Nẵng: departments of both predecessors, no district level
        PeriodPlan("2025-H2", 34, 42, 0.91, 0.78, 0.95, 1.00, 0.97, (2, 4), 4),
        PeriodPlan("2026-H1", 36, 42, 0.92, 0.72, 0.97, 1.00, 1.00, (2, 4), 10),
    )
}

# Legacy Đà Nẵng (synthetic): a larger IT department, the same March 2025 department merger.
OLD_DA_NANG_PLANS: dict[str, PeriodPlan] = {
    p.period_id: p
    for p in (
        PeriodPlan("2022", 38, 22, 0.88, 0.60, 0.66, 0.76, 0.80, (1, 2)),
        PeriodPlan("2023", 40, 24, 0.90, 0.82, 0.74, 0.82, 0.87, (1, 2)),
        PeriodPlan("2024-H1", 41, 25, 0.90, 0.66, 0.80, 0.88, 0.91, (1, 3)),
        PeriodPlan("2024-H2", 43, 26, 0.91, 0.76, 0.86, 0.93, 0.94, (1, 3)),
        PeriodPlan("2025-H1", 44, 22, 0.92, 0.70, 0.91, 0.97, 0.96, (1, 3)),
    )
}

PROVINCE_PERIODS: tuple[str, ...] = tuple(PERIOD_PLANS)
# at national scale, every pre-2025 province until 2025-H1, then the 34 provinces
NATIONAL_PERIODS: tuple[str, ...] = PROVINCE_PERIODS
# the periods with every pre-2025 unit (about 11,000): ``--periods N`` at national scale counts
# back from 2025-H1, the inbox the ingest benchmarks measure
PRE_2025_NATIONAL_PERIODS: tuple[str, ...] = ("2022", "2023", "2024-H1", "2024-H2", "2025-H1")


def _planned(period: str, plans: dict[str, PeriodPlan]) -> PeriodPlan:
    """``plans[period]``; for a period of another deployment's calendar (the history
    benchmark's twenty half-years) the plan of the period it falls in or nearest to, under
    its own period id: a half-year of 2022 or 2023 takes that year's plan, an earlier one the
    first period's, a later one the last period's (each post-reform period then adds its posts
    again). Synthetic, as every figure of the demo's plans after 2023."""
    if period in plans:
        return plans[period]
    year = str(period_year(period))
    if year in plans:
        source = plans[year]
    else:
        first, *_, last = plans.values()
        source = first if period_end_date(period) < period_end_date(first.period_id) else last
    return replace(source, period_id=period)


def demo_plan(period: str) -> PeriodPlan:
    """The Quảng Nam → new Đà Nẵng path's plan for ``period`` (see :func:`_planned`)."""
    return _planned(period, PERIOD_PLANS)


def plan_for(province_code: str, period: str) -> PeriodPlan:
    """The plan of one province's batch: legacy Đà Nẵng before the reorganisation, else the
    Quảng Nam → new Đà Nẵng path (which every province follows at national scale)."""
    if province_code == OLD_DA_NANG and period_end_date(period) < REORGANISED_ON:
        return _planned(period, OLD_DA_NANG_PLANS)
    return demo_plan(period)


def plan_summary() -> dict[str, object]:
    """The plan as the manifest records it."""
    return {
        "published_2023": {**PUBLISHED_2023, "levels": list(PUBLISHED_2023["levels"])},  # type: ignore[call-overload]
        "periods": [asdict(p) for p in PERIOD_PLANS.values()],
        "old_da_nang_periods": [asdict(p) for p in OLD_DA_NANG_PLANS.values()],
        "old_da_nang_figures": (
            "synthetic: no published CĐS staffing figure of legacy Đà Nẵng is known"
        ),
    }
