"""``make bench-history``: the warehouse built one period after another, as history grows.

    python -m tests.benchmarks.bench_history [--scale province|national] [--periods N]
        [--catch-up] [--record]

On a fresh data home, for each period in turn (oldest first): that period's demo files are
generated alone (``generate_demo(periods=(p,))``) into the inbox, one night runs as users run
it (``dxwh run``, a process), and the period's inbox files are removed once the night has
archived them, so the disk holds the archive plus one period (bounded). Per period:

- the night's wall time (the ``dxwh run`` process) and its peak RSS (the largest process of its
  tree, from ``wait4``), with each kind of process's peak sampled every 0.5 s from ``/proc``
  (``dxwh run`` itself, which runs the Airflow tasks in-process, and dbt, its child) and the task
  running when ``dxwh run`` peaked;
- dbt's time: the ``dbt build``'s elapsed time from its ``run_results.json``, and the five
  slowest nodes with their time, to see which models grow with history;
- the published file's size;
- the analyst views' latency on the published file: every ``analyst`` view read ``--reads``
  times, read-only, whole (``select *``, every row into Python) and its first 1,000 rows (what
  SQL Lab shows); the p95 of each over all reads (and the slowest view, with its rows), and
  each view's rows and whole-read p95.

The periods are twenty half-years, 2020-H1 … 2029-H2: the benchmark's deployment has its own
reporting calendar (``DXWH_CALENDAR_DIR=calendar_ten_years``, i.e.
``dbt_project/calendar_ten_years/reporting_calendar.csv``, read by dbt's seed and by the ingest
alike), so the demo province's calendar and figures stay as they are. Each night runs as of 60
days after its period's last day (``DXWH_AS_OF``), when every report the demo writes for it
(late ones and corrections too) is in: ten years cannot be waited for. The demo writes every
half-year on its plans (:func:`ingest.demo.plan.demo_plan`); at national scale the 63 pre-2025
provinces until 2025-H1, then the 34. ``--periods N`` takes the first N. ``--catch-up`` runs
three nights instead of N: the first period alone, every period but the first and the last in
one catch-up night (labelled ``catch-up``: a figure of its own, not a nightly one), then the
last period alone, measured against the first with N-1 periods of history behind it. Figures
are written after every night to ``<data home>/bench/history-<scale>-partial.json`` and at the
end to ``history-<scale>-<time>.json`` (``--record``: also ``docs/bench/history-<scale>.json``).
Nothing is asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.benchmarks.bench_commands import DXWH, REPO, load

RECORD_DIR = REPO / "docs" / "bench"
PRODUCER = "dbt_producer_watcher"
# dbt's line for a built model, as the producer task logs it: "... OK created sql table model
# marts.fct_staffing ....... [OK in 1.23s]" (colour codes around the status)
MODEL_RESULT = re.compile(r"OK created \S+ \S+ model (\S+) \.+ \[.*?OK.*? in ([\d.]+)s\]")


def _progress(what: str) -> None:
    print(f"bench {dt.datetime.now():%H:%M:%S} load {load()[0]:.2f} {what}", file=sys.stderr,
          flush=True)  # fmt: skip


# the benchmark deployment's calendar: dbt_project/calendar_ten_years, twenty half-years
CALENDAR_DIR = "calendar_ten_years"


def _env(home: Path, scale: str, as_of: dt.date | None = None) -> dict[str, str]:
    from core.settings import AS_OF_SETTING, CALENDAR_DIR_SETTING

    env = {
        **os.environ,
        "DXWH_HOME": str(home),
        "DXWH_REGISTRY_SCOPE": scale,
        "DXWH_TASK_RETRIES": "0",
        "AIRFLOW__COSMOS__CACHE_DIR": str(home / "cosmos"),
        CALENDAR_DIR_SETTING: CALENDAR_DIR,
    }
    if as_of is not None:
        env[AS_OF_SETTING] = as_of.isoformat()
    return env


def history_periods() -> list[str]:
    """The periods of the benchmark deployment's calendar, oldest first."""
    from core.reporting_calendar import calendar_csv, load_calendar
    from core.settings import CALENDAR_DIR_SETTING

    calendar = load_calendar(calendar_csv({CALENDAR_DIR_SETTING: CALENDAR_DIR}))
    return [p.period_id for p in calendar.periods]


# a night's as-of day: this long after its period's last day every report the demo writes for
# it is in (first reports up to 25 days after, corrections up to 15 days after those)
SETTLED_AFTER = dt.timedelta(days=60)


def night_as_of(period: str) -> dt.date:
    """The night that finds ``period`` complete: its reports, late ones and corrections
    included, are in, and it is past due."""
    from core.periods import period_end_date

    return period_end_date(period) + SETTLED_AFTER


def write_periods(home: Path, scale: str, periods: tuple[str, ...]) -> int:
    """The periods' demo files, generated together, into the home's inbox."""
    from ingest.demo.generate import generate_demo

    staging = home.parent / "staging"
    shutil.rmtree(staging, ignore_errors=True)
    result = generate_demo(
        staging / "submissions",
        staging / "manifest.json",
        periods=periods,
        mess_share=0.1,
        scale=scale,
    )
    inbox = home / "inbox" / "submissions"
    inbox.mkdir(parents=True, exist_ok=True)
    for source in (staging / "submissions").iterdir():
        shutil.move(str(source), str(inbox / f"{source.name}"))
    shutil.rmtree(staging, ignore_errors=True)
    return len(result.files)


def _process_tree(root: int) -> dict[int, tuple[str, int]]:
    """``root`` and its descendants now: pid -> (what it runs, RSS in kB), from ``/proc``."""
    parents: dict[int, int] = {}
    facts: dict[int, tuple[str, int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            status = (entry / "status").read_text()
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:  # gone meanwhile
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        rss = next((int(line.split()[1]) for line in status.splitlines()
                    if line.startswith("VmRSS:")), 0)  # fmt: skip
        facts[int(entry.name)] = (_role(argv), rss)
    tree, grew = {root}, True
    while grew:
        found = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= found
        grew = bool(found)
    return {pid: facts[pid] for pid in tree if pid in facts}


def _role(argv: list[bytes]) -> str:
    """A process of the night, named for what it runs (dbt, or the program's name)."""
    words = [Path(a.decode(errors="replace")).name for a in argv if a][:3]
    if any(w == "dbt" or w.startswith("dbt") for w in words):
        return "dbt"
    if words[:1] and words[0].startswith("python") and len(words) > 1:
        return words[1]
    return words[0] if words else "?"


class TreeSampler:
    """Samples a process tree's RSS until stopped: each role's peak, and when the root peaked.

    ``wait4``'s ``ru_maxrss`` says only how large the largest process grew, not which one it
    was: the sampler names it (every ``every`` seconds; a peak shorter than that can be missed,
    so ``ru_maxrss`` stays the figure of record)."""

    def __init__(self, root: int, every: float = 0.5) -> None:
        import threading

        self.root, self.every = root, every
        self.peak_kb: dict[str, int] = {}
        self.root_peak_kb, self.root_peak_at = 0, dt.datetime.now(dt.UTC)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            for pid, (role, rss) in _process_tree(self.root).items():
                name = "dxwh run (in-process tasks)" if pid == self.root else role
                self.peak_kb[name] = max(self.peak_kb.get(name, 0), rss)
                if pid == self.root and rss > self.root_peak_kb:
                    self.root_peak_kb, self.root_peak_at = rss, dt.datetime.now(dt.UTC)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def night(home: Path, scale: str, as_of: dt.date) -> dict[str, Any]:
    """One ``dxwh run`` as of ``as_of``: wall seconds, the peak RSS of its process tree (the
    largest process, from ``wait4``), each kind of process's sampled peak, and the task that
    ran when the ``dxwh run`` process itself peaked."""
    log = (home.parent / "night.log").open("a")
    started = time.perf_counter()
    proc = subprocess.Popen(
        [str(DXWH), "run"], env=_env(home, scale, as_of), stdout=log, stderr=subprocess.STDOUT
    )
    sampler = TreeSampler(proc.pid)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    sampler.stop()
    proc.returncode = os.waitstatus_to_exitcode(status)
    log.close()
    if proc.returncode != 0:
        raise RuntimeError(f"dxwh run failed ({proc.returncode}): see {home.parent / 'night.log'}")
    return {
        "night_s": round(seconds, 1),
        "night_peak_rss_mb": round(usage.ru_maxrss / 1024),
        "sampled_peak_rss_mb": {
            role: round(kb / 1024) for role, kb in sorted(sampler.peak_kb.items())
        },
        "run_process_peak_task": task_at(home, sampler.root_peak_at),
    }


def task_seconds(home: Path) -> dict[str, float]:
    """Each task's duration in the last ``dx_nightly`` run, from Airflow's own records."""
    import sqlite3

    with contextlib.closing(sqlite3.connect(home / "airflow" / "airflow.db")) as con:
        rows = con.execute(
            "select task_id, (julianday(end_date) - julianday(start_date)) * 86400 "
            "from task_instance where dag_id = 'dx_nightly' and run_id = ("
            "  select run_id from dag_run where dag_id = 'dx_nightly' "
            "  order by start_date desc limit 1) and end_date is not null"
        ).fetchall()
    return {task: round(float(s), 2) for task, s in rows if s is not None}


def task_at(home: Path, moment: dt.datetime) -> str | None:
    """The ``dx_nightly`` task that was running at ``moment`` (UTC), from Airflow's records."""
    import sqlite3

    with contextlib.closing(sqlite3.connect(home / "airflow" / "airflow.db")) as con:
        row = con.execute(
            "select task_id from task_instance where dag_id = 'dx_nightly' "
            "and julianday(start_date) <= julianday(?) "
            "and julianday(?) <= julianday(coalesce(end_date, ?)) "
            "order by start_date desc limit 1",
            [moment.isoformat()] * 3,
        ).fetchone()
    return str(row[0]) if row else None


def dbt_figures(home: Path) -> dict[str, Any]:
    """dbt's time in the night: its one ``dbt build`` task (Cosmos' producer, from Airflow's
    records) and the five slowest models of that build (dbt's own timings, from its lines in
    the night's log)."""
    tasks = task_seconds(home)
    out: dict[str, Any] = {
        "dbt_build_s": next((s for t, s in tasks.items() if t.endswith(PRODUCER)), None),
        "ingest_s": tasks.get("ingest.submissions"),
    }
    logs = sorted((home / "airflow" / "logs").glob("dxwh-run-*.log"))
    timings: dict[str, float] = {}
    if logs:
        text = logs[-1].read_text(encoding="utf-8", errors="replace")
        for name, seconds in MODEL_RESULT.findall(text):
            timings[name] = float(seconds)
    slowest = sorted(timings.items(), key=lambda item: -item[1])[:5]
    out["dbt_models_s"] = round(sum(timings.values()), 2)  # every model's own time, summed
    out["dbt_slowest_models_s"] = {name: round(s, 2) for name, s in slowest}
    return out


# SQL Lab's default row limit: what an analyst's query in Superset shows
FIRST_ROWS = 1000


def _p95(times: list[float]) -> float:
    every = sorted(times)
    return round(every[min(len(every) - 1, round(0.95 * (len(every) - 1)))] * 1e3, 1)


def analyst_views(published: Path, reads: int) -> dict[str, Any]:
    """Each ``analyst`` view read ``reads`` times on the published file, read-only: whole
    (``select *``, every row into Python: grows with the rows, so with history) and its first
    1,000 rows (what SQL Lab shows); the p95 of each over all reads, the slowest view and its
    rows."""
    import duckdb

    with duckdb.connect(str(published), read_only=True) as con:
        views = [
            row[0]
            for row in con.execute(
                "select view_name from duckdb_views() where schema_name = 'analyst' "
                "and not internal order by 1"
            ).fetchall()
        ]
        whole: dict[str, list[float]] = {v: [] for v in views}
        first: list[float] = []
        rows: dict[str, int] = {}
        for _ in range(reads):
            for view in views:
                started = time.perf_counter()
                rows[view] = len(con.execute(f'select * from analyst."{view}"').fetchall())
                whole[view].append(time.perf_counter() - started)
                started = time.perf_counter()
                con.execute(f'select * from analyst."{view}" limit {FIRST_ROWS}').fetchall()
                first.append(time.perf_counter() - started)
    every = [t for ts in whole.values() for t in ts]
    if not every:
        return {"views": 0}
    slowest = max(whole, key=lambda v: statistics.median(whole[v]))
    return {
        "views": len(views),
        "analyst_p95_ms": _p95(every),
        "analyst_max_ms": round(max(every) * 1e3, 1),
        "analyst_first_rows_p95_ms": _p95(first),
        "slowest_view": slowest,
        "slowest_view_rows": rows[slowest],
        "analyst_rows": sum(rows.values()),
        # each view: its rows and its whole read's p95 (ms)
        "views_rows": dict(sorted(rows.items())),
        "views_p95_ms": {view: _p95(whole[view]) for view in sorted(whole)},
    }


def measure_night(
    home: Path, args: argparse.Namespace, periods: tuple[str, ...], kind: str
) -> dict[str, Any]:
    """Write ``periods``' files, run one night as of the last one's settled day, and measure
    it: the night, dbt, the published file, the analyst views, the disk."""
    from core.settings import load_settings

    as_of = night_as_of(periods[-1])
    label = periods[0] if len(periods) == 1 else f"{periods[0]}…{periods[-1]}"
    row: dict[str, Any] = {
        "period": label,
        "kind": kind,
        "n_periods_loaded": len(periods),
        "as_of": as_of.isoformat(),
        "load_at_start": load(),
    }
    _progress(f"{label} ({kind}): its files")
    row["files"] = write_periods(home, args.scale, periods)
    _progress(f"{label} ({kind}): the night as of {as_of}")
    row |= night(home, args.scale, as_of)
    row |= dbt_figures(home)
    published = load_settings(_env(home, args.scale)).published_db
    row["published_mb"] = round(published.stat().st_size / 2**20, 1)
    row |= analyst_views(published, args.reads)
    shutil.rmtree(home / "inbox" / "submissions", ignore_errors=True)  # archived: bounded
    row["disk_mb"] = round(sum(p.stat().st_size for p in home.rglob("*") if p.is_file()) / 2**20, 1)
    row["load_at_end"] = load()
    return row


def run_bench(args: argparse.Namespace) -> dict[str, Any]:
    from core.settings import CALENDAR_DIR_SETTING, load_settings

    root = load_settings().home / "bench" / f"history-{args.scale}"
    home = root / "home"
    shutil.rmtree(root, ignore_errors=True)
    periods = history_periods()[: args.periods or None]
    # this process writes the demo files: the deployment's calendar for it too
    os.environ[CALENDAR_DIR_SETTING] = CALENDAR_DIR
    if args.catch_up and len(periods) >= 3:
        # night 1: the first period alone; one catch-up night: every period between; the last
        # period's night: measured against the first
        nights = [
            ((periods[0],), "night"),
            (tuple(periods[1:-1]), "catch-up"),
            ((periods[-1],), "night"),
        ]
        how = (
            f"catch-up: {periods[0]} alone, then {periods[1]} … {periods[-2]} in one catch-up "
            f"night (not a nightly figure), then {periods[-1]} alone"
        )
    else:
        nights = [((p,), "night") for p in periods]
        how = "one night per period, oldest first"
    figures: dict[str, Any] = {
        "scale": args.scale,
        "calendar": f"half-years {periods[0]} … {periods[-1]} (DXWH_CALENDAR_DIR={CALENDAR_DIR})",
        "as_of": "each night: 60 days after its (last) period's last day (DXWH_AS_OF)",
        "nights": how,
        "planned": len(periods),
        "load_at_start": load(),
        "periods": [],
    }
    partial = root.parent / f"history-{args.scale}-partial.json"
    for n, (batch, kind) in enumerate(nights, start=1):
        _progress(f"night {n} of {len(nights)}")
        figures["periods"].append(measure_night(home, args, batch, kind))
        partial.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    figures["load_at_end"] = load()
    return figures


def format_table(f: dict[str, Any]) -> str:
    rows = f["periods"]
    first = rows[0]["night_s"] if rows else 1.0
    catch_up = any(r.get("kind") == "catch-up" for r in rows)
    how = (
        f"{f['planned']} periods in {len(rows)} nights (the first alone, a catch-up night, the "
        "last alone)"
        if catch_up
        else f"{len(rows)} periods one after another"
    )
    lines = [
        f"dxwh bench-history ({f['stamp']}): {f['scale']} demo, {how}; 1-min load "
        f"{f['load_at_start'][0]:.1f} at start, "
        f"{f['load_at_end'][0]:.1f} at end" + (f" ({f['finished']})" if "finished" in f else ""),
        f"{'period':<8} {'files':>6} {'night s':>8} {'vs 1st':>6} {'dbt s':>6} {'models s':>8} "
        f"{'published MB':>12} {'views p95 ms':>12} {'peak RSS MB':>11} {'load':>5}",
    ]
    for r in rows:
        if r.get("kind") == "catch-up":
            lines.append(f"(catch-up night: {r.get('n_periods_loaded')} periods at once)")
        lines.append(
            f"{r['period']:<8} {r['files']:>6,} {r['night_s']:>8.1f} {r['night_s'] / first:>6.2f} "
            f"{r.get('dbt_build_s') or float('nan'):>6.1f} "
            f"{r.get('dbt_models_s', float('nan')):>8.1f} {r['published_mb']:>12.1f} "
            f"{r.get('analyst_p95_ms', float('nan')):>12.1f} {r['night_peak_rss_mb']:>11,} "
            f"{r['load_at_start'][0]:>5.1f}"
        )
    return "\n".join(line.rstrip() for line in lines)


def main(argv: list[str] | None = None) -> int:
    from core.settings import load_settings

    parser = argparse.ArgumentParser(description="History, one period at a time (bench-history).")
    parser.add_argument("--scale", choices=("province", "national"), default="province")
    parser.add_argument("--periods", type=int, default=0, help="how many (default: all known)")
    parser.add_argument("--reads", type=int, default=20, help="reads of each analyst view")
    parser.add_argument(
        "--catch-up",
        action="store_true",
        help="the first period's night, then every period but the last in one catch-up night, "
        "then the last period's night (measured against the first)",
    )
    parser.add_argument(
        "--record", action="store_true", help="also write docs/bench/history-*.json"
    )
    parser.add_argument(
        "--finished-only",
        action="store_true",
        help="run nothing: take the periods a running or stopped run has finished (its partial "
        "figures) as the run's figures",
    )
    args = parser.parse_args(argv)
    out_dir = load_settings().home / "bench"
    if args.finished_only:
        partial = out_dir / f"history-{args.scale}-partial.json"
        figures = json.loads(partial.read_text(encoding="utf-8"))
        figures["finished"] = (
            f"{len(figures['periods'])} of {figures.get('planned', '?')} periods finished"
        )
        figures["load_at_end"] = figures["periods"][-1]["load_at_end"]
    else:
        figures = run_bench(args)
    figures["stamp"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = json.dumps(figures, indent=1, ensure_ascii=False) + "\n"
    out = out_dir / f"history-{args.scale}-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(text, encoding="utf-8")
    if args.record:
        RECORD_DIR.mkdir(parents=True, exist_ok=True)
        (RECORD_DIR / f"history-{args.scale}.json").write_text(text, encoding="utf-8")
    print(format_table(figures))
    print(f"figures: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
