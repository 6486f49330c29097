"""Who works on CĐS in each unit, period by period, following the plan (:mod:`ingest.demo.plan`).

Counts for province + district level are the plan's figures, allocated across units; shares
(IT degree, training, network, platform access, focal points) are applied exactly over the
period's people or units, so the totals the warehouse computes are the plan's, not approximately.
Each unit keeps a stable roster, so the same people appear period after period.

Two rules of the 2025 reorganisation (docs/intake.md, "who files"): the report of a unit whose
registry version ends with the period (the districts and communes abolished on 1 July 2025, the
departments) is filed under its code by its filing successor, after the unit's last day and by
the period's deadline; and a unit with no reporting duty (Hoàng Sa, whose People's Committee
exists on paper only: ``ReportingUnit.has_reporting_duty``) files nothing.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from core.periods import period_end_date, period_year
from core.reporting_calendar import load_calendar
from core.vocabulary import ASSIGNMENTS
from ingest.demo.names import synthetic_name
from ingest.demo.plan import PeriodPlan
from ingest.registry import ReportingUnit

IT_AGENCIES = ("STTTT", "SKHCN")  # the provincial IT agency before / after 1 March 2025
# days after a ceased unit's last day that its filing successor sends its report: early enough
# that a correction (5 to 15 days later, held to the deadline) still comes after it
_SUCCESSOR_FILING_DAYS = (1, 7)
_POSITIONS_UPPER = (
    "Chuyên viên",
    "Chuyên viên",
    "Phó Trưởng phòng",
    "Trưởng phòng",
    "Phó Giám đốc",
)
_POSITIONS_COMMUNE = (
    "Công chức Văn phòng - Thống kê",
    "Công chức Văn hóa - Xã hội",
    "Phó Chủ tịch",
)
_JOBS = (
    "Chuyên viên về công nghệ thông tin",
    "Chuyên viên về chuyển đổi số",
    "Chuyên viên về an toàn thông tin",
    "Quản trị hệ thống",
)


@dataclass(frozen=True)
class Person:
    full_name: str
    gender: str
    birth_year: int
    position_title: str
    job_position: str
    rank_degree: float  # lower = holds a university IT degree sooner
    rank_network: float
    rank_platform: float
    incident_response: bool


@dataclass
class Submission:
    """One unit's report for one period: the ``DonVi`` fields and the person rows."""

    unit: ReportingUnit
    period_id: str
    header: dict[str, object]
    staff: list[dict[str, object]] = field(default_factory=list)
    # when the unit ceased before the period fell due: the deadline its filing successor files
    # by, corrections included
    filing_cutoff: dt.date | None = None

    @property
    def n_dedicated(self) -> int:
        return sum(1 for p in self.staff if p["assignment"] == ASSIGNMENTS[0])

    @property
    def n_concurrent(self) -> int:
        return sum(1 for p in self.staff if p["assignment"] == ASSIGNMENTS[1])


def _rng(seed: int, *parts: object) -> random.Random:
    # String seeds are hashed with SHA-512: the same in every process and on every machine.
    return random.Random("|".join(str(p) for p in (seed, *parts)))


def roster(seed: int, unit: ReportingUnit, n: int) -> list[Person]:
    """The first ``n`` people of a unit's stable roster."""
    # keyed by the code alone: a unit renamed, moved or merged into keeps its people
    rng = _rng(seed, "roster", unit.unit_id)
    positions = _POSITIONS_COMMUNE if unit.unit_level == "commune" else _POSITIONS_UPPER
    people = []
    for _ in range(n):
        name, gender = synthetic_name(rng)
        people.append(
            Person(
                full_name=name,
                gender=gender,
                birth_year=rng.randint(1966, 2000),
                position_title=rng.choice(positions),
                job_position=rng.choice(_JOBS),
                rank_degree=rng.random(),
                rank_network=rng.random(),
                rank_platform=rng.random(),
                incident_response=rng.random() < 0.2,
            )
        )
    return people


def spread(total: int, n_units: int, rng: random.Random, min_each: int = 1) -> list[int]:
    """``total`` split over ``n_units``: ``min_each`` each if it suffices, the rest at random."""
    if n_units == 0:
        return []
    if total < min_each * n_units:
        counts = [0] * n_units
        for i in rng.sample(range(n_units), total):
            counts[i] = 1
        return counts
    counts = [min_each] * n_units
    for _ in range(total - min_each * n_units):
        counts[rng.randrange(n_units)] += 1
    return counts


def _dept_code(unit: ReportingUnit) -> str:
    return unit.unit_id.split("-", 1)[1] if "-" in unit.unit_id else ""


def _upper_counts(
    units: Sequence[ReportingUnit], plan: PeriodPlan, rng: random.Random
) -> dict[str, tuple[int, int]]:
    """(dedicated, concurrent) per department and district, summing to the plan's figures.

    Dedicated staff sit in the provincial IT agency and the district IT units; where there is
    no district level (after 1 July 2025) the other departments carry them. Concurrent staff
    are spread over the other departments.
    """
    depts = [u for u in units if u.unit_level == "province"]
    districts = [u for u in units if u.unit_level == "district"]
    agency = next((u for code in IT_AGENCIES for u in depts if _dept_code(u) == code), depts[0])
    others = [u for u in depts if u is not agency]
    counts = {u.unit_id: [0, 0] for u in (*depts, *districts)}
    carriers = districts or others
    at_agency = round(plan.n_dedicated * (0.25 if districts else 0.4))
    counts[agency.unit_id][0] = at_agency
    for unit, n in zip(
        carriers, spread(plan.n_dedicated - at_agency, len(carriers), rng), strict=True
    ):
        counts[unit.unit_id][0] += n
    for unit, n in zip(others, spread(plan.n_concurrent, len(others), rng), strict=True):
        counts[unit.unit_id][1] += n
    return {k: (v[0], v[1]) for k, v in counts.items()}


def _commune_sizes(
    units: Sequence[ReportingUnit], plan: PeriodPlan, seed: int, total: int | None
) -> list[int]:
    """Staff per commune: drawn from ``plan.commune_staff``, or ``total`` spread over them."""
    if total is not None:
        lo = plan.commune_staff[0]
        return spread(total, len(units), _rng(seed, "communes", plan.period_id), min_each=lo)
    lo, hi = plan.commune_staff
    return [lo + int(_rng(seed, "size", u.unit_id).random() * (hi - lo + 1)) for u in units]


def _commune_counts(
    units: Sequence[ReportingUnit], plan: PeriodPlan, seed: int, total: int | None = None
) -> dict[str, tuple[int, int]]:
    counts = {}
    for unit, n in zip(units, _commune_sizes(units, plan, seed, total), strict=True):
        # merged communes of the new two-level government have a dedicated CĐS officer
        dedicated = 1 if unit.parent_unit_id is None and n > 1 else 0
        counts[unit.unit_id] = (dedicated, n - dedicated)
    return counts


def _exact(n: int, share: float) -> int:
    return min(n, round(n * share))


def _assign(
    rows: list[tuple[Person, dict[str, object]]], plan: PeriodPlan, rng: random.Random
) -> None:
    """Apply the plan's shares exactly over one group of people."""
    n = len(rows)
    by_degree = sorted(range(n), key=lambda i: rows[i][0].rank_degree)
    it_degree = set(by_degree[: _exact(n, plan.share_it_degree)])
    trained = set(rng.sample(range(n), _exact(n, plan.share_trained)))
    by_network = sorted(range(n), key=lambda i: rows[i][0].rank_network)
    network = by_network[: _exact(n, plan.share_network)]
    by_platform = sorted(network, key=lambda i: rows[i][0].rank_platform)
    platform = set(by_platform[: _exact(len(network), plan.share_platform)])
    network_set = set(network)
    for i, (_, row) in enumerate(rows):
        if i in it_degree:
            row["education_level"] = rng.choices(("Đại học", "Thạc sĩ", "Tiến sĩ"), (80, 18, 2))[0]
            row["field_of_study"] = rng.choices(("CNTT", "An toàn thông tin"), (85, 15))[0]
        else:
            level, study = rng.choice(
                (
                    ("Cao đẳng", "CNTT"),
                    ("Trung cấp", "CNTT"),
                    ("Đại học", "Khác"),
                    ("Đại học", "Điện tử - Viễn thông"),
                    ("Thạc sĩ", "Khác"),
                )
            )
            row["education_level"], row["field_of_study"] = level, study
        row["trainings_in_period"] = rng.choice((1, 1, 2, 3)) if i in trained else 0
        row["dx_network_member"] = "Có" if i in network_set else "Không"
        row["platform_access"] = "Có" if i in platform else "Không"


def _header(
    unit: ReportingUnit, period: str, has_focal: bool, rng: random.Random
) -> dict[str, object]:
    end = period_end_date(period)
    header: dict[str, object] = {
        "unit_code": unit.unit_id,
        "unit_name": unit.unit_name,
        "unit_type": unit.unit_type,
        "period": period,
        "has_dx_focal_point": "Có" if has_focal else "Không",
        "prepared_by": synthetic_name(rng)[0],
        "submitted_on": end + dt.timedelta(days=rng.randint(3, 25)),
        "province_title": f"UBND {unit.province_name}",
    }
    if has_focal:
        issuer = _dept_code(unit) or "UBND"
        header["focal_point_decision_ref"] = (
            f"{rng.randint(12, 980)}/QĐ-{issuer} ngày {rng.randint(1, 28)}/"
            f"{rng.randint(1, 12)}/{period_year(period) - rng.randint(0, 1)}"
        )
    if unit.unit_level == "commune":
        teams = rng.randint(3, 12)
        members = teams * rng.randint(3, 6)
        header["community_teams"] = teams
        header["community_team_members"] = members
        header["community_team_members_trained"] = rng.randint(members // 2, members)
    return header


def headcount(
    seed: int,
    units: Sequence[ReportingUnit],
    plan: PeriodPlan,
    commune_total: int | None = None,
) -> int:
    """The staff :func:`period_submissions` will report for these units, without drawing them."""
    upper = sum(1 for u in units if u.unit_level != "commune")
    communes = [u for u in units if u.unit_level == "commune"]
    return (plan.n_dedicated + plan.n_concurrent if upper else 0) + sum(
        _commune_sizes(communes, plan, seed, commune_total)
    )


def commune_total_after_reorganisation(
    predecessors_headcount: int, units: Sequence[ReportingUnit], plan: PeriodPlan
) -> int | None:
    """Commune-level staff of a period after the reorganisation: every post the predecessors
    held in the previous period (at every level) plus ``plan.n_added_at_reorganisation``, less
    what the departments hold. ``None`` for a period before it."""
    if plan.n_added_at_reorganisation is None:
        return None
    upper = sum(1 for u in units if u.unit_level != "commune")
    in_departments = plan.n_dedicated + plan.n_concurrent if upper else 0
    return predecessors_headcount + plan.n_added_at_reorganisation - in_departments


@functools.cache
def _deadlines() -> dict[str, dt.date]:
    return {p.period_id: p.deadline_date for p in load_calendar().periods}


def successor_filing(unit: ReportingUnit, period: str) -> tuple[dt.date, dt.date] | None:
    """When a unit ceases with the period (its last day is the period's), its filing successor
    files the report: the first day it can (the day after) and the deadline, from the
    province's reporting calendar. ``None`` for a unit that outlives the period."""
    end = period_end_date(period)
    deadline = _deadlines().get(period)
    if unit.valid_to is None or unit.valid_to > end or deadline is None:
        return None
    return unit.valid_to + dt.timedelta(days=1), deadline


def period_submissions(
    seed: int,
    units: Sequence[ReportingUnit],
    period: str,
    plan: PeriodPlan,
    commune_total: int | None = None,
) -> list[Submission]:
    """One submission per unit active at the end of ``period`` (units of one province).

    ``commune_total``: the staff of the commune-level units together, after the reorganisation
    (:func:`commune_total_after_reorganisation`); before it each commune draws its own size.
    """
    rng = _rng(seed, "period", period, units[0].province_code if units else "")
    upper = [u for u in units if u.unit_level != "commune"]
    communes = [u for u in units if u.unit_level == "commune"]
    counts = {
        **_upper_counts(upper, plan, rng),
        **_commune_counts(communes, plan, seed, commune_total),
    }
    by_focal = sorted(units, key=lambda u: _rng(seed, "focal", u.unit_id).random())
    focal = {u.unit_id for u in by_focal[: _exact(len(units), plan.share_focal)]}
    submissions = []
    groups: dict[bool, list[tuple[Person, dict[str, object]]]] = {True: [], False: []}
    for unit in units:
        dedicated, concurrent = counts[unit.unit_id]
        people = roster(seed, unit, dedicated + concurrent)
        header = _header(unit, period, unit.unit_id in focal, rng)
        by_successor = successor_filing(unit, period)
        cutoff = None
        if by_successor is not None:
            first_day, cutoff = by_successor
            days = rng.randint(*_SUCCESSOR_FILING_DAYS) - 1
            header["submitted_on"] = min(first_day + dt.timedelta(days=days), cutoff)
        sub = Submission(unit, period, header, filing_cutoff=cutoff)
        for index, person in enumerate(people):
            row: dict[str, object] = {
                "row_no": index + 1,
                "full_name": person.full_name,
                "birth_year": person.birth_year,
                "gender": person.gender,
                "position_title": person.position_title,
                "job_position": person.job_position,
                "assignment": ASSIGNMENTS[0] if index < dedicated else ASSIGNMENTS[1],
                "incident_response_member": "Có" if person.incident_response else "Không",
            }
            sub.staff.append(row)
            groups[unit.unit_level == "commune"].append((person, row))
        submissions.append(sub)
    for group in groups.values():
        _assign(group, plan, rng)
    if commune_total is not None and plan.share_network < 1:
        _leave_out_of_network(seed, submissions, period)
    return submissions


def _leave_out_of_network(seed: int, submissions: list[Submission], period: str) -> None:
    """One new commune's staff are not yet in the CĐS network: with several people per new
    commune a random draw would reach every unit, and the plan's network coverage stays below
    every unit until 2030 (T2030_NETWORK)."""
    communes = [s for s in submissions if s.unit.unit_level == "commune" and s.staff]
    if not communes:
        return
    left_out = min(
        communes, key=lambda s: _rng(seed, "network-gap", period, s.unit.unit_id).random()
    )
    for row in left_out.staff:
        row["dx_network_member"] = "Không"
        row["platform_access"] = "Không"
