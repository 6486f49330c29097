"""Generate demo submissions and a manifest of what the pipeline must conclude from them.

Province scale (default): Quảng Nam's departments, district and commune People's Committees for
2022 … 2025-H1, then the new Đà Nẵng for 2025-H2 and 2026-H1. National scale: every pre-2025
province, for benchmarks. People are synthetic; everything is deterministic for a given seed,
whatever the number of worker processes: each batch (one province, one period) draws from its
own seeded generator. The manifest is written outside the inbox.
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
from ingest.demo.layout import flat_rows, workbook_grids
from ingest.demo.mess import PlannedFile, plan_files
from ingest.demo.plan import NATIONAL_PERIODS, PERIOD_PLANS, PROVINCE_PERIODS, plan_summary
from ingest.demo.population import period_submissions
from ingest.demo.writers import write_csv, write_ods, write_xls, write_xlsx
from ingest.registry import ReportingUnit, build_registry

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
    plan = PERIOD_PLANS[batch.period]
    subs = period_submissions(batch.seed, batch.units, batch.period, plan)
    rng = random.Random(f"{batch.seed}|mess|{batch.period}|{batch.units[0].province_code}")
    files = plan_files(subs, batch.mess_share, _REGISTRY_IDS, rng, batch.variant_offset)
    for f in sorted(files, key=lambda f: f.copy_of is not None):
        write_planned(f, batch.inbox)
    return [f.manifest_entry() for f in files]


def _batches(
    units: Sequence[ReportingUnit],
    periods: Iterable[str],
    levels: tuple[str, ...],
    seed: int,
    mess_share: float,
    inbox: Path,
) -> list[Batch]:
    batches = []
    for n, period in enumerate(periods):
        if period not in PERIOD_PLANS:
            raise ValueError(
                f"unknown demo period {period!r}: use one of {', '.join(PERIOD_PLANS)}"
            )
        on = period_end_date(period)
        by_province: dict[str, list[ReportingUnit]] = {}
        for u in units:
            if u.unit_level in levels and u.is_active(on):
                by_province.setdefault(u.province_code, []).append(u)
        for _code, active in sorted(by_province.items()):
            batches.append(Batch(seed, period, tuple(active), mess_share, n * 7, inbox))
    return batches


def national_periods(n: int) -> tuple[str, ...]:
    if not 1 <= n <= len(NATIONAL_PERIODS):
        raise ValueError(
            f"--periods must be between 1 and {len(NATIONAL_PERIODS)} at national scale "
            f"(the pre-2025 periods {', '.join(NATIONAL_PERIODS)})"
        )
    return NATIONAL_PERIODS[-n:]


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
        "files": entries,
    }
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return DemoResult(entries, time.perf_counter() - started, n_workers)
