"""Generate demo submissions and a manifest of what the pipeline must conclude from them.

Province scale (default): the departments, district and commune People's Committees of Quảng
Nam and of legacy Đà Nẵng for 2022 … 2025-H1, then the new Đà Nẵng for 2025-H2 and 2026-H1,
with what the targets should conclude on the new city's whole territory
(:mod:`ingest.demo.conclusions`). National scale, for benchmarks: every pre-2025 province until
2025-H1, then the 34 provinces, each following the same plan. People are synthetic; everything
is deterministic for a given seed, whatever the number of worker processes: each batch (one
province, one period) draws from its own seeded generator.
The manifest is written outside the inbox.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from core.periods import period_end_date
from core.reporting_calendar import load_calendar
from ingest.demo.conclusions import successor_conclusions
from ingest.demo.layout import flat_rows, workbook_grids
from ingest.demo.mess import PlannedFile, plan_files
from ingest.demo.plan import (
    PERIOD_PLANS,
    PRE_2025_NATIONAL_PERIODS,
    PROVINCE_PERIODS,
    PeriodPlan,
    demo_plan,
    plan_for,
    plan_summary,
)
from ingest.demo.population import (
    commune_total_after_reorganisation,
    headcount,
    period_submissions,
)
from ingest.demo.writers import write_csv, write_ods, write_xls, write_xlsx
from ingest.registry import ReportingUnit, build_registry, successor_provinces

SCALES = ("province", "national")
ALL_LEVELS = ("province", "district", "commune")
DEFAULT_MESS_SHARE = 0.1
TRUNCATE_AT = 0.4  # an interrupted download keeps the first part of the file


@dataclass(frozen=True)
class Batch:
    seed: int
    period: str
    units: tuple[ReportingUnit, ...]
    mess_share: float
    variant_offset: int
    inbox: Path
    commune_total: int | None = None  # after the reorganisation (see population)


@dataclass(frozen=True)
class DemoResult:
    files: list[dict[str, object]]
    seconds: float
    workers: int

    @property
    def files_per_second(self) -> float:
        return len(self.files) / self.seconds if self.seconds else float("inf")


_REGISTRY_IDS: set[str] = set()  # every unit code: a mistyped code must miss all of them


def _init_worker(registry_ids: set[str]) -> None:
    _REGISTRY_IDS.clear()
    _REGISTRY_IDS.update(registry_ids)


def write_planned(f: PlannedFile, inbox: Path) -> None:
    path = inbox / f.path
    path.parent.mkdir(parents=True, exist_ok=True)
    if f.copy_of is not None:
        path.write_bytes((inbox / f.copy_of).read_bytes())
    else:
        sub, variant = f.submission, f.variant
        if variant.fmt == "csv":
            rows = flat_rows(sub.header, sub.staff, variant.style)
            write_csv(path, rows, variant.csv_encoding, variant.line_end)  # type: ignore[arg-type]
        else:
            grids = workbook_grids(sub.header, sub.staff, variant.style)
            {"xlsx": write_xlsx, "xls": write_xls, "ods": write_ods}[variant.fmt](path, grids)
        if f.truncate:
            data = path.read_bytes()
            path.write_bytes(data[: int(len(data) * TRUNCATE_AT)])
    # Arrival order is the order the pipeline reads the inbox in (modification time).
    stamp = f.arrival.timestamp()
    os.utime(path, (stamp, stamp))


def run_batch(batch: Batch) -> list[dict[str, object]]:
    """Build, plan and write one province's files for one period; return manifest entries."""
    plan = plan_for(batch.units[0].province_code, batch.period)
    subs = period_submissions(batch.seed, batch.units, batch.period, plan, batch.commune_total)
    rng = random.Random(f"{batch.seed}|mess|{batch.period}|{batch.units[0].province_code}")
    files = plan_files(subs, batch.mess_share, _REGISTRY_IDS, rng, batch.variant_offset)
    for f in sorted(files, key=lambda f: f.copy_of is not None):
        write_planned(f, batch.inbox)
    return [f.manifest_entry() for f in files]


def _reporting_units(
    units: Sequence[ReportingUnit], period: str, levels: tuple[str, ...]
) -> dict[str, list[ReportingUnit]]:
    """The units that report for ``period``, by province: active at its end, with a duty."""
    on = period_end_date(period)
    by_province: dict[str, list[ReportingUnit]] = {}
    for u in units:
        if u.unit_level in levels and u.is_active(on) and u.has_reporting_duty:
            by_province.setdefault(u.province_code, []).append(u)
    return dict(sorted(by_province.items()))


def _commune_totals(
    units: Sequence[ReportingUnit], periods: Sequence[str], levels: tuple[str, ...], seed: int
) -> dict[tuple[str, str], int | None]:
    """Commune-level staff per (province, period) after the reorganisation, from the headcount
    of the units that reported the period before in the province's predecessors (or itself):
    Quảng Nam and legacy Đà Nẵng for the new Đà Nẵng, each of the 34 at national scale."""
    totals: dict[tuple[str, str], int | None] = {}
    if all(demo_plan(p).n_added_at_reorganisation is None for p in periods):
        return totals  # nothing after the reorganisation: no headcount to carry over
    successor = successor_provinces()
    previous: dict[str, int] | None = None  # the previous period's headcount, by successor
    for period in demo_periods():  # in order, whatever the periods asked for
        period_headcount: dict[str, int] = {}
        for code, active in _reporting_units(units, period, levels).items():
            plan: PeriodPlan = plan_for(code, period)
            total = (
                commune_total_after_reorganisation(previous.get(code, 0), active, plan)
                if previous is not None
                else None
            )
            totals[(code, period)] = total
            into = successor.get(code, code)
            period_headcount[into] = period_headcount.get(into, 0) + headcount(
                seed, active, plan, total
            )
        previous = period_headcount
        if period == periods[-1]:
            break
    return totals


def demo_periods() -> list[str]:
    """The periods the demo can write, oldest first: its plans' periods, or every period of
    the deployment's own calendar (``DXWH_CALENDAR_DIR``) when it does not hold them all (the
    history benchmark's twenty half-years: :func:`ingest.demo.plan.demo_plan`)."""
    calendar = [p.period_id for p in load_calendar().periods]
    ours = [p for p in calendar if p in PERIOD_PLANS]
    return ours if ours == list(PERIOD_PLANS) else calendar


def _batches(
    units: Sequence[ReportingUnit],
    periods: Iterable[str],
    levels: tuple[str, ...],
    seed: int,
    mess_share: float,
    inbox: Path,
) -> list[Batch]:
    periods = list(periods)
    known = demo_periods()
    for period in periods:
        if period not in known:
            raise ValueError(f"unknown demo period {period!r}: use one of {', '.join(known)}")
    totals = _commune_totals(units, sorted(periods, key=known.index), levels, seed)
    batches = []
    for n, period in enumerate(periods):
        for code, active in _reporting_units(units, period, levels).items():
            batches.append(
                Batch(
                    seed,
                    period,
                    tuple(active),
                    mess_share,
                    n * 7,
                    inbox,
                    totals.get((code, period)),
                )
            )
    return batches


def national_periods(n: int) -> tuple[str, ...]:
    """The last ``n`` pre-2025 periods: the national inbox of the ingest benchmarks (every
    pre-2025 unit). The later periods (:data:`NATIONAL_PERIODS`) are asked for by name."""
    if not 1 <= n <= len(PRE_2025_NATIONAL_PERIODS):
        raise ValueError(
            f"--periods must be between 1 and {len(PRE_2025_NATIONAL_PERIODS)} at national scale "
            f"(the pre-2025 periods {', '.join(PRE_2025_NATIONAL_PERIODS)})"
        )
    return PRE_2025_NATIONAL_PERIODS[-n:]


def generate_demo(
    inbox: Path,
    manifest_path: Path,
    *,
    seed: int = 2023,
    periods: Sequence[str] | None = None,
    levels: tuple[str, ...] = ALL_LEVELS,
    mess_share: float = 0.0,
    scale: str = "province",
    workers: int | None = None,
) -> DemoResult:
    """Write the demo inbox and its manifest. ``mess_share`` 0 gives clean template files only."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}: use one of {', '.join(SCALES)}")
    if not 0 <= mess_share <= 1:
        raise ValueError(f"--mess-share must be between 0 and 1, not {mess_share}")
    started = time.perf_counter()
    if periods is None:
        periods = PROVINCE_PERIODS if scale == "province" else national_periods(1)
    units = build_registry(scale)
    registry_ids = {u.unit_id for u in units}
    _init_worker(registry_ids)
    batches = _batches(units, periods, levels, seed, mess_share, inbox)
    n_workers = workers or min(len(batches), os.cpu_count() or 1) or 1
    if n_workers > 1:
        # spawn, never fork: the caller may be a threaded process (Airflow, pytest plugins) and
        # a forked child can inherit a lock another thread held, and hang
        ctx = multiprocessing.get_context("spawn")
        with ctx.Pool(n_workers, _init_worker, (registry_ids,)) as pool:
            results = pool.map(run_batch, batches, chunksize=1)
    else:
        results = [run_batch(b) for b in batches]
    entries = sorted((e for r in results for e in r), key=lambda e: str(e["file"]))
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    manifest = {
        "seed": seed,
        "scale": scale,
        "mess_share": mess_share,
        "periods": list(periods),
        "plan": plan_summary(),
        "not_reporting": sorted({u.unit_id for u in units if not u.has_reporting_duty}),
        "files": entries,
    }
    if scale == "province":
        manifest["successor"] = successor_conclusions(entries)
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return DemoResult(entries, time.perf_counter() - started, n_workers)
