"""``make bench-national``: the national demo, end to end, in process, in one table.

    python -m tests.benchmarks.bench_national [--quick] [--history N] [--sample N]

Builds the national demo (``dxwh demo-data --scale national --periods N`` with
``DXWH_REGISTRY_SCOPE=national``) in ``<data home>/bench/<scale>/`` and measures, side by side
in one run on this machine:

- the raw-parse limit: python-calamine reading every cell of every .xlsx, all cores, no checks;
- the naive peer: ``pandas.read_excel`` (openpyxl) per file + one bulk insert, on a sample;
- the whole ``dxwh ingest`` (submissions and DTI) and its ratios to both;
- where a file's time goes: each step of the ingest path timed apart, serially, on a sample
  (:mod:`tests.benchmarks.file_path_profile`);
- ``dbt build``: the first (full) night, a night with no new file, and each night that adds one
  period onto the history (``--history 5`` gives the 1-vs-5-period comparison);
- Great Expectations, publish;
- the whole nightly DAG through ``dxwh run``: a full night on a fresh data home, then a quiet one;
- peak RSS of this process and of the largest child (the ``dxwh run`` processes).

Prints one table and writes the figures as JSON to ``<data home>/bench/<scale>-<time>.json``
(and ``<scale>-latest.json``). ``--quick`` runs the same steps on a few dozen province files: a
smoke run, not a measurement. Numbers depend on the machine and its load (printed with them);
nothing is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from core.settings import Settings, load_settings

T = TypeVar("T")


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _timed(action: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def _step(what: str, figures: dict[str, Any]) -> None:
    """Progress on stderr, and the figures so far in ``<scale>-partial.json``: a national run
    takes a while, and a step that fails must not lose the ones before it."""
    print(f"bench {dt.datetime.now():%H:%M:%S} {what}", file=sys.stderr, flush=True)
    out = load_settings().home / "bench" / f"{figures['scale']}-partial.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=1), encoding="utf-8")


def _rss_mb(who: int) -> float:
    # ru_maxrss is in KiB on Linux: the peak of this process, or of the largest waited-for child
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)


# --- the raw-parse limit ----------------------------------------------------------------------


def _read_every_cell(path: Path) -> int:
    """Read every cell of every sheet; return the rows read (no checks, nothing kept)."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        rows = 0
        for name in book.sheet_names:
            rows += len(book.get_sheet_by_name(name).to_python(skip_empty_area=True))
    except Exception:  # the demo's deliberately broken downloads: no rows, still a file read
        return 0
    return rows


def parse_limit(files: list[Path], workers: int) -> dict[str, float]:
    def run() -> int:
        with ProcessPoolExecutor(workers) as pool:
            return sum(pool.map(_read_every_cell, files, chunksize=64))

    rows, seconds = _timed(run)
    return _rates(len(files), rows, seconds) | {"workers": workers}


# --- the naive peer ---------------------------------------------------------------------------


def naive_peer(files: list[Path]) -> dict[str, float]:
    """pandas.read_excel (openpyxl) per file, then one bulk insert of every sheet's rows."""
    import pandas as pd

    def run() -> int:
        frames = []
        for path in files:
            try:
                sheets = pd.read_excel(path, sheet_name=None, engine="openpyxl")
            except Exception:  # a broken download: the script a user writes skips it too
                continue
            for name, frame in sheets.items():
                frames.append(frame.astype(str).assign(source_file=path.name, sheet=name))
        table = pd.concat(frames, ignore_index=True)
        with duckdb.connect() as con:
            con.register("peer", table)
            con.execute("create table landed as select * from peer")
            row = con.execute("select count(*) from landed").fetchone()
        return int(row[0]) if row else 0

    rows, seconds = _timed(run)
    return _rates(len(files), rows, seconds)


def _rates(files: int, rows: int, seconds: float) -> dict[str, float]:
    seconds = max(seconds, 1e-9)
    return {
        "files": files,
        "rows": rows,
        "seconds": round(seconds, 3),
        "files_per_s": round(files / seconds, 1),
        "rows_per_s": round(rows / seconds, 1),
    }


# --- the pipeline's steps ---------------------------------------------------------------------


def _settings(home: Path, scope: str) -> Settings:
    return load_settings({**os.environ, "DXWH_HOME": str(home), "DXWH_REGISTRY_SCOPE": scope})


def _generate(staging: Path, scale: str, periods: tuple[str, ...]) -> int:
    from ingest.demo.generate import generate_demo
    from ingest.dti.demo import write_dti_publications

    kwargs: dict[str, Any] = {"scale": scale, "periods": periods, "mess_share": 0.1}
    if scale == "province":
        kwargs["levels"] = ("province", "district")
    result = generate_demo(staging / "submissions", staging / "manifest.json", **kwargs)
    write_dti_publications(staging / "dti")
    return len(result.files)


def _move_period(staging: Path, inbox: Path, period: str) -> None:
    source = staging / "submissions" / period
    if source.is_dir():
        shutil.copytree(source, inbox / period, dirs_exist_ok=True)


def _dxwh_run(home: Path, scope: str, *extra: str) -> dict[str, Any]:
    env = {**os.environ, "DXWH_HOME": str(home), "DXWH_REGISTRY_SCOPE": scope}
    env["DXWH_TASK_RETRIES"] = "0"
    dxwh = Path(sys.executable).with_name("dxwh")
    started = time.perf_counter()
    proc = subprocess.run(
        [str(dxwh), "run", *extra], env=env, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"dxwh run failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return {"seconds": round(seconds, 1), "quiet": "a quiet night" in proc.stdout}


def run_bench(args: argparse.Namespace) -> dict[str, Any]:
    from ingest.demo.generate import national_periods
    from pipeline.dbt_runner import parse_manifest, run_dbt
    from pipeline.nightly import step_ingest, step_ingest_dti, step_publish

    scale = "province" if args.quick else "national"
    periods = ("2023", "2024-H1")[: args.history] if args.quick else national_periods(args.history)
    data_home = load_settings().home
    root = data_home / "bench" / scale
    shutil.rmtree(root, ignore_errors=True)
    staging, home = root / "staging", root / "home"
    settings = _settings(home, scale)
    settings.ensure_dirs()
    parse_manifest()
    figures: dict[str, Any] = {
        "scale": scale,
        "periods": list(periods),
        "machine": {
            "cores": _cores(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "load_at_start": _load(),
        },
    }
    _step("writing the demo", figures)
    n_files, seconds = _timed(lambda: _generate(staging, scale, periods))
    figures["demo_data"] = {"files": n_files, "seconds": round(seconds, 1)}

    # ingest speed on the first period (the national demo, --periods 1)
    first = periods[0]
    _move_period(staging, settings.inbox_submissions, first)
    shutil.copytree(staging / "dti", settings.inbox_dti, dirs_exist_ok=True)
    files = sorted(settings.inbox_submissions.rglob("*.xlsx"))
    _step("the raw-parse limit", figures)
    figures["limit"] = parse_limit(files, _cores())
    _step("the naive peer", figures)
    sample = random.Random(7).sample(files, min(args.sample, len(files)))
    figures["naive_peer"] = naive_peer(sample)

    def ingest() -> dict[str, Any]:
        result = step_ingest(settings, batch_id=f"bench-{first}")
        dti = step_ingest_dti(settings, batch_id=f"bench-{first}")
        return {"submissions": result, "dti": dti}

    _step("dxwh ingest", figures)
    landed, seconds = _timed(ingest)
    sub = landed["submissions"]
    figures["ingest"] = _rates(sub["files_new"], sub["rows_read"], seconds) | {
        "xlsx_files": len(files),
        "files_accepted": sub["files_accepted"],
        "files_rejected": sub["files_rejected"],
    }
    limit, peer, whole = figures["limit"], figures["naive_peer"], figures["ingest"]
    figures["ratios"] = {
        "ingest_vs_limit_files": round(whole["files_per_s"] / max(limit["files_per_s"], 1e-9), 4),
        "ingest_vs_peer_files": round(whole["files_per_s"] / max(peer["files_per_s"], 1e-9), 2),
    }

    # where a file's time goes: each step of the path, serial, on a sample of the same files
    _step("where a file's time goes", figures)
    from tests.benchmarks.file_path_profile import profile_file_path

    figures["file_path"] = profile_file_path(
        random.Random(11).sample(files, min(args.profile_files, len(files))), scale
    )

    # dbt: the first night (full), a night with no new file, then a night per added period
    _step("dbt build", figures)
    dbt: dict[str, Any] = {}
    _, dbt["full_1_period_s"] = _timed(lambda: run_dbt(settings, "build"))
    _, dbt["no_new_file_s"] = _timed(lambda: run_dbt(settings, "build"))
    figures["dbt"] = dbt  # rounded below; saved as it grows (a 5-period run is long)
    for n, period in enumerate(periods[1:], start=2):
        _step(f"period {n} of {len(periods)}: ingest {period}, dbt build", figures)
        _move_period(staging, settings.inbox_submissions, period)
        step_ingest(settings, batch_id=f"bench-{period}")
        _, dbt[f"adds_period_{n}_of_{n}_s"] = _timed(lambda: run_dbt(settings, "build"))
    if len(periods) > 1:
        _, dbt[f"full_{len(periods)}_periods_s"] = _timed(
            lambda: run_dbt(settings, "build", "--full-refresh")
        )
    figures["dbt"] = {k: round(v, 1) for k, v in dbt.items()}

    from expectations.runner import run_validations

    _step("Great Expectations and publish", figures)
    report, seconds = _timed(lambda: run_validations(settings, run_id="bench"))
    figures["gx"] = {"seconds": round(seconds, 1), "expectations": len(report.outcomes)}
    published, seconds = _timed(lambda: step_publish(settings))
    figures["publish"] = {"seconds": round(seconds, 1), "tables": len(published["tables"])}
    figures["peak_rss_mb"] = {"bench_process": _rss_mb(resource.RUSAGE_SELF)}

    if args.skip_nightly:
        figures["peak_rss_mb"]["largest_child"] = _rss_mb(resource.RUSAGE_CHILDREN)
        figures["machine"]["load_at_end"] = _load()
        return figures
    # the whole nightly through Airflow on a fresh data home: a full night, then a quiet one
    night_home = root / "night"
    night = _settings(night_home, scale)
    night.ensure_dirs()
    _move_period(staging, night.inbox_submissions, first)
    shutil.copytree(staging / "dti", night.inbox_dti, dirs_exist_ok=True)
    _step("the nightly DAG: a full night, then a quiet one", figures)
    full = _dxwh_run(night_home, scale)
    quiet = _dxwh_run(night_home, scale)
    figures["nightly"] = {
        "full_s": full["seconds"],
        "quiet_s": quiet["seconds"],
        "quiet_was_skipped": quiet["quiet"],
        "quiet_vs_full": round(quiet["seconds"] / max(full["seconds"], 1e-9), 3),
    }
    figures["peak_rss_mb"]["largest_child"] = _rss_mb(resource.RUSAGE_CHILDREN)
    figures["machine"]["load_at_end"] = _load()
    if not args.keep:
        shutil.rmtree(staging, ignore_errors=True)
    return figures


def format_table(f: dict[str, Any]) -> str:
    """The one table ``make bench-national`` prints."""
    m = f["machine"]
    lines = [
        f"dxwh bench: {f['scale']} demo, periods {', '.join(f['periods'])}; {m['cores']} cores, "
        f"load {m['load_at_start']} at start, {m['load_at_end']} at end",
        f"{'what':<58} {'files/s':>9} {'rows/s':>10} {'seconds':>8}",
    ]

    def rate(label: str, r: dict[str, Any]) -> None:
        lines.append(
            f"{label:<58} {r['files_per_s']:>9,.1f} {r['rows_per_s']:>10,.0f} {r['seconds']:>8.1f}"
        )

    def secs(label: str, seconds: float) -> None:
        lines.append(f"{label:<58} {'':>9} {'':>10} {seconds:>8.1f}")

    rate(f"limit: calamine, every cell, {f['limit']['workers']} processes, no checks", f["limit"])
    rate(f"naive peer: pandas+openpyxl, 1 bulk insert ({f['naive_peer']['files']} files)",
         f["naive_peer"])  # fmt: skip
    rate(f"dxwh ingest ({f['ingest']['files']} files)", f["ingest"])
    r = f["ratios"]
    lines.append(
        f"  ratios: ingest = {r['ingest_vs_limit_files']:.4f} of the limit "
        f"(1/{1 / max(r['ingest_vs_limit_files'], 1e-9):.0f}), "
        f"{r['ingest_vs_peer_files']:.2f}x the naive peer (files/s)"
    )
    for key, seconds in f["dbt"].items():
        secs(f"dbt build: {key.removesuffix('_s').replace('_', ' ')}", seconds)
    secs(f"Great Expectations ({f['gx']['expectations']} expectations)", f["gx"]["seconds"])
    secs(f"publish ({f['publish']['tables']} tables)", f["publish"]["seconds"])
    n = f.get("nightly")
    if n:
        secs("nightly DAG (dxwh run), full night", n["full_s"])
        secs(
            f"nightly DAG (dxwh run), quiet night ({n['quiet_vs_full']:.0%} of full"
            + (")" if n["quiet_was_skipped"] else ", NOT skipped)"),
            n["quiet_s"],
        )
    if "file_path" in f:
        from tests.benchmarks.file_path_profile import format_profile

        lines.append(format_profile(f["file_path"]))
    rss = f["peak_rss_mb"]
    lines.append(
        f"peak RSS: {rss['bench_process']:,.0f} MB (bench process), "
        f"{rss['largest_child']:,.0f} MB (largest child: dxwh run, dbt)"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="National-scale benchmark (make bench-national).")
    parser.add_argument("--quick", action="store_true", help="a few dozen province files")
    parser.add_argument("--history", type=int, default=1, help="periods to build (max 5)")
    parser.add_argument("--sample", type=int, default=500, help="files for the naive peer")
    parser.add_argument(
        "--profile-files", type=int, default=2000, help="files for the per-file profile"
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument(
        "--skip-nightly", action="store_true", help="leave out the two dxwh run nights"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.sample = min(args.sample, 20)
    figures = run_bench(args)
    figures["finished_at"] = dt.datetime.now(dt.UTC).isoformat()
    out_dir = load_settings().home / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = out_dir / f"{figures['scale']}-{stamp}.json"
    out.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    shutil.copyfile(out, out_dir / f"{figures['scale']}-latest.json")
    print(format_table(figures))
    print(f"figures: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
