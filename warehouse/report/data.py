"""What the scorecard shows, read from the published warehouse's analyst views.

The scorecard reads what analysts and BI tools read (the ``analyst`` views of the published
file), so the report and a dashboard built on the same views cannot disagree. Around them it
reads the published dimensions that say which province each period belongs to (the 2025
reorganisation merged provinces mid-history) and what each DTI methodology is called.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from warehouse.report.plan import read_plan_frames
from warehouse.report.whatif import WhatIf, load_home_whatifs
from warehouse.sql import connect_published

VIEWS = {
    "dti": "analyst.dti_rank_history",
    "staffing": "analyst.staffing_by_level_and_assignment",
    "targets": "analyst.target_progress",
    "compliance": "analyst.reporting_compliance_by_level",
    "late_or_missing": "analyst.late_or_missing_reports",
    "no_focal_point": "analyst.units_without_focal_point",
}
# lists of units the scorecard shows for its headline period only: read that period's rows,
# not every period's (national: thousands of units a period, growing with history)
HEADLINE_ONLY = ("late_or_missing", "no_focal_point")
HEADLINE_PERIOD_SQL = (
    "select period_id from marts.dim_period where not is_in_progress order by end_date desc limit 1"
)

# Each period's province as it was then: the province most of the period's expected units
# belonged to, named on the period's basis (63 provinces before 2025-07-01, 34 after).
PERIOD_PROVINCES_SQL = """
with

expected as (
    select period_id, province_id, count(*) as n_units
    from marts.fct_reporting_compliance
    group by period_id, province_id
),

named as (
    select
        expected.period_id,
        expected.province_id,
        expected.n_units,
        provinces.province_name
    from expected
    inner join marts.dim_period as periods
        on expected.period_id = periods.period_id
    left join marts.dim_province as provinces
        on
            provinces.basis = periods.province_basis
            and provinces.province_id = expected.province_id
),

-- the province with the most units stands for the period; every province whose units
-- reported in it is named (before 01/07/2025 the new city's data is two provinces' data)
per_period as (
    select
        period_id,
        arg_max(province_id, n_units) as province_id,
        arg_max(province_name, n_units) as province_name,
        string_agg(province_name, ' và ' order by n_units desc, province_name)
            as provinces_label
    from named
    group by period_id
)

select
    periods.period_id,
    periods.end_date,
    periods.deadline_date,
    periods.is_in_progress,
    periods.province_basis,
    per_period.province_id,
    per_period.province_name,
    per_period.provinces_label
from marts.dim_period as periods
inner join per_period
    on periods.period_id = per_period.period_id
order by periods.end_date
"""

MERGERS_SQL = """
select province_id, province_name, effective_date, legacy_province_id, legacy_province_name
from marts.dim_province_crosswalk
where is_merged
order by province_id, effective_date, legacy_province_name
"""

# Units that exist but have no reporting duty (Hoàng Sa), as they stand today.
EXEMPT_UNITS_SQL = """
select unit_name, no_duty_reason
from marts.dim_unit
where not has_reporting_duty and valid_to is null
order by unit_id
"""

PROVINCE_NAMES_SQL = """
select basis, province_id, province_name
from marts.dim_province
"""

METHODOLOGIES_SQL = """
select
    methodology,
    any_value(methodology_decision_ref) as decision_ref,
    min(year) as first_year,
    max(year) as last_year
from marts.fct_dti_scores
where methodology is not null
group by methodology
order by first_year
"""

# The people of each period whose value of a field is unknown (a person is never dropped for a
# field: the clerk's file lacked or misspelt it), by field, as fct_staffing counts them.
UNKNOWN_FIELDS: tuple[tuple[str, str], ...] = (
    ("birth_year", "Năm sinh"),
    ("gender", "Giới tính"),
    ("assignment", "Hình thức bố trí (chuyên trách/kiêm nhiệm)"),
    ("education_level", "Trình độ chuyên môn"),
    ("field_of_study", "Chuyên ngành"),
    ("trainings", "Số lớp bồi dưỡng, tập huấn CĐS trong kỳ"),
    ("dx_network_member", "Thành viên Mạng lưới CĐS"),
    ("incident_response_member", "Thành viên Đội ứng cứu sự cố ATTT mạng"),
    ("platform_access", "Được tiếp cận, sử dụng nền tảng số"),
)
UNKNOWNS_SQL = (
    "select period_id, cast(sum(n_staff) as bigint) as n_staff, "
    + ", ".join(f"cast(sum(n_unknown_{f}) as bigint) as n_unknown_{f}" for f, _ in UNKNOWN_FIELDS)
    + " from marts.fct_staffing group by period_id order by period_id"
)


@dataclass(frozen=True)
class Merger:
    """Provinces merged into one on a date (the 2025 reorganisation)."""

    effective_date: dt.date
    province_name: str  # the province they form
    merged_names: tuple[str, ...]  # the provinces before, as they were named


@dataclass(frozen=True)
class InProgress:
    """A period still in progress (its deadline not passed): shown beside the headline."""

    period_id: str
    deadline_date: dt.date
    n_units_submitted: int
    n_units_expected: int


@dataclass(frozen=True)
class ScorecardData:
    dti: pd.DataFrame
    staffing: pd.DataFrame
    targets: pd.DataFrame
    compliance: pd.DataFrame
    late_or_missing: pd.DataFrame
    no_focal_point: pd.DataFrame
    published_version: str
    # period_id, end_date, deadline_date, is_in_progress, province_basis, province_id,
    # province_name (as the period had it)
    periods: pd.DataFrame = field(default_factory=pd.DataFrame)
    mergers: tuple[Merger, ...] = ()
    # methodology code -> (decision that defines it, first year, last year)
    methodologies: dict[str, tuple[str | None, int, int]] = field(default_factory=dict)
    # (unit name, why it has no reporting duty) of today's units without one
    exempt_units: tuple[tuple[str, str], ...] = ()
    # period_id, n_staff and n_unknown_<field> for each field of UNKNOWN_FIELDS
    unknowns: pd.DataFrame = field(default_factory=pd.DataFrame)
    # province code -> name, before the 2025 reorganisation (63) and after it (34)
    legacy_province_names: dict[str, str] = field(default_factory=dict)
    current_province_names: dict[str, str] = field(default_factory=dict)
    # the DTI what-if of the home province (warehouse/report/whatif.py)
    whatifs: tuple[WhatIf, ...] = ()
    # each target projected to its deadline, and the units holding each back (warehouse/report/
    # plan.py: analyst.target_projections, analyst.target_holdbacks)
    projections: pd.DataFrame = field(default_factory=pd.DataFrame)
    holdbacks: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def latest_period(self) -> str | None:
        """The headline period: the latest one whose deadline has passed (a period still in
        progress never is, however early a unit reported for it)."""
        if self.periods.empty or "is_in_progress" not in self.periods:
            periods = self.staffing["period_id"].dropna()
            return str(periods.max()) if len(periods) else None
        due = self.periods[~self.periods["is_in_progress"].astype(bool)]
        if due.empty:
            return None
        return str(due.sort_values("end_date").iloc[-1]["period_id"])

    @property
    def in_progress_periods(self) -> list[InProgress]:
        """The periods whose reports are still coming in, with how many have arrived."""
        if self.periods.empty or "is_in_progress" not in self.periods:
            return []
        found = []
        for row in self.periods[self.periods["is_in_progress"].astype(bool)].itertuples():
            rows = self.compliance[self.compliance["period_id"] == row.period_id]
            found.append(
                InProgress(
                    period_id=str(row.period_id),
                    deadline_date=pd.Timestamp(row.deadline_date).date(),
                    n_units_submitted=int(rows["n_submitted"].sum()),
                    n_units_expected=int(rows["n_units_expected"].sum()),
                )
            )
        return found

    def is_in_progress(self, period_id: object) -> bool:
        return any(p.period_id == period_id for p in self.in_progress_periods)

    def province_of(self, period_id: object) -> str | None:
        """The names of the provinces a period's data belongs to, as they were named then
        ("Tỉnh Quảng Nam và Thành phố Đà Nẵng" for a period before their merger)."""
        if self.periods.empty:
            return None
        column = "provinces_label" if "provinces_label" in self.periods else "province_name"
        match = self.periods.loc[self.periods["period_id"] == period_id, column]
        return str(match.iloc[0]) if len(match) and pd.notna(match.iloc[0]) else None

    @property
    def home_province_name(self) -> str | None:
        """The province of the latest period (after a merger: the merged province)."""
        if self.latest_period is not None and self.province_of(self.latest_period):
            return self.province_of(self.latest_period)
        home = self.dti[self.dti["is_home_province"]]
        if home.empty:
            return None
        return str(home.sort_values(["year", "basis"]).iloc[-1]["province_name"])

    @property
    def home_mergers(self) -> tuple[Merger, ...]:
        """The mergers that the periods shown cross (a province named before and after)."""
        names = set(self.periods.get("province_name", pd.Series(dtype=str)).dropna())
        return tuple(
            m for m in self.mergers if m.province_name in names and names & set(m.merged_names)
        )


def published_dti(dti: pd.DataFrame) -> pd.DataFrame:
    """The DTI rows a publication printed: what officials' tables and charts may show.

    The warehouse's own estimates (34-basis averages no publication printed) are left out. A
    warehouse published before ``is_published`` existed marks them with ``is_recomputed``.
    """
    if "is_published" in dti.columns:
        return dti[dti["is_published"].fillna(False).astype(bool)]
    if "is_recomputed" in dti.columns:
        return dti[~dti["is_recomputed"].fillna(False).astype(bool)]
    return dti


def estimated_dti(dti: pd.DataFrame) -> pd.DataFrame:
    """The warehouse's own DTI estimates (never shown as published)."""
    return dti.drop(published_dti(dti).index)


def _mergers(frame: pd.DataFrame) -> tuple[Merger, ...]:
    mergers = []
    for (_, name, effective), rows in frame.groupby(
        ["province_id", "province_name", "effective_date"], sort=True
    ):
        mergers.append(
            Merger(
                effective_date=pd.Timestamp(effective).date(),
                province_name=str(name),
                merged_names=tuple(str(n) for n in rows["legacy_province_name"]),
            )
        )
    return tuple(mergers)


def load_scorecard_data(published_db: Path, version: str = "") -> ScorecardData:
    """Read every view and dimension the scorecard needs; a missing one is an error naming it."""
    frames: dict[str, pd.DataFrame] = {}
    with connect_published(published_db) as con:
        for key, view in VIEWS.items():
            where = f" where period_id = ({HEADLINE_PERIOD_SQL})" if key in HEADLINE_ONLY else ""
            frames[key] = con.sql(f"select * from {view}{where}").df()
        periods = con.execute(PERIOD_PROVINCES_SQL).df()
        mergers = con.execute(MERGERS_SQL).df()
        exempt = tuple((str(n), str(r or "")) for n, r in con.execute(EXEMPT_UNITS_SQL).fetchall())
        unknowns = con.execute(UNKNOWNS_SQL).df()
        methodologies = {
            str(code): (str(ref) if ref else None, int(first), int(last))
            for code, ref, first, last in con.execute(METHODOLOGIES_SQL).fetchall()
        }
        plan = read_plan_frames(con)
        names: dict[int, dict[str, str]] = {63: {}, 34: {}}
        for basis, code, name in con.execute(PROVINCE_NAMES_SQL).fetchall():
            names.setdefault(int(basis), {})[str(code)] = str(name)
        whatifs = load_home_whatifs(con, frames["dti"])
    return ScorecardData(
        published_version=version,
        periods=periods,
        mergers=_mergers(mergers),
        methodologies=methodologies,
        exempt_units=exempt,
        unknowns=unknowns,
        legacy_province_names=names[63],
        current_province_names=names[34],
        whatifs=whatifs,
        **plan,
        **frames,
    )
