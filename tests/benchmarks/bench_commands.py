"""``make bench``: what users run, against the no-loss floor, on one inbox, repeated.

    python -m tests.benchmarks.bench_commands [--quick] [--repeat N] [--sample N] [--record]

One inbox (the national demo, ``dxwh demo-data --scale national --periods 1`` with
``DXWH_REGISTRY_SCOPE=national``; ``--quick``: a few dozen province files) is written once under
``<data home>/bench/inbox-<scale>/`` and kept. Then, ``--repeat`` times (default 3), one round
after the other so every figure of a round shares the machine's load:

- **floor** (the anchor): each file read once, hashed (SHA-256) and copied into an archive
  folder, then every cell of every sheet read by python-calamine from those bytes; all cores,
  one process per core. The least a loader that loses nothing must do.
- **parse limit**: python-calamine reading every cell of every file, all cores; no hash, no
  copy, no check.
- **naive script** (``naive_concat_text``, fixed): ``pandas.read_excel`` (openpyxl) of every
  sheet of a fixed sample of the inbox (every k-th file), each sheet as text with the file and
  sheet names, concatenated, one bulk insert into DuckDB. One process.
- **``dxwh ingest`` (command)**: the command as a user runs it, on a fresh data home holding the
  inbox: process start, imports, registry, both inboxes (submissions and DTI), exit. Its own
  printed figure for the submissions step (``step_ingest`` timed inside the process) is kept
  beside it, labelled in-process.
- **``dxwh ingest``, nothing new**: the same command again on that home: start-up, imports,
  registry, the inbox scan and hashing of known files.
- **``dxwh run`` (command)**: the whole nightly DAG as a process on a fresh data home holding the
  inbox (a full night), then again with nothing new (a quiet night); ``--skip-run`` leaves them
  out.
- **``dxwh sql`` one-shot**: ``dxwh sql "select count(*) ..."`` on the published file, wall time
  and the process's CPU time (user + system).

CPU is counted for every process a command starts: the bench adopts its descendants' orphans
(``PR_SET_CHILD_SUBREAPER``), so the workers of ``dxwh ingest``, forked by a fork server that
outlives the command, are waited for and counted; the floor and parse limit count their pool.
CPU milliseconds per file, and the floor's CPU over the command's, are reported beside the
rates: a loaded machine inflates them far less than wall time.

Files per second count the inbox's files (every file offered, also the refused ones). Each figure
is reported as min / median / max over the rounds, with the load average at the start and end of
every round. The figures are written as JSON to ``<data home>/bench/commands-<time>.json``;
``--record`` also writes them to ``docs/bench/commands.json``, from which the tables quoted in
README.md and docs/operations.md are generated (a test checks they match). Nothing is asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import datetime as dt
import hashlib
import io
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
RECORD = REPO / "docs" / "bench" / "commands.json"
SQL_QUERY = "select count(*) from marts.fct_staffing"
DXWH = Path(sys.executable).with_name("dxwh")


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _progress(what: str) -> None:
    print(f"bench {dt.datetime.now():%H:%M:%S} load {load()[0]:.2f} {what}", file=sys.stderr,
          flush=True)  # fmt: skip


# --- the inbox --------------------------------------------------------------------------------


def _env(home: Path, scale: str) -> dict[str, str]:
    return {
        **os.environ,
        "DXWH_HOME": str(home),
        "DXWH_REGISTRY_SCOPE": scale,
        "DXWH_TASK_RETRIES": "0",
        "AIRFLOW__COSMOS__CACHE_DIR": str(home / "cosmos"),
    }


def write_inbox(root: Path, scale: str, quick: bool) -> Path:
    """The demo inbox (submissions and DTI) under ``root``, written once and kept."""
    done = root / "written.json"
    if done.is_file():
        return root
    from ingest.demo.generate import generate_demo, national_periods
    from ingest.dti.demo import write_dti_publications

    shutil.rmtree(root, ignore_errors=True)
    kwargs: dict[str, Any] = {"scale": scale, "mess_share": 0.1}
    if quick:
        kwargs |= {"periods": ("2023",), "levels": ("province", "district")}
    else:
        kwargs["periods"] = national_periods(1)
    result = generate_demo(root / "submissions", root / "manifest.json", **kwargs)
    write_dti_publications(root / "dti")
    done.write_text(json.dumps({"files": len(result.files)}), encoding="utf-8")
    return root


def inbox_files(inbox: Path) -> list[Path]:
    return sorted(p for p in (inbox / "submissions").rglob("*") if p.is_file())


def fresh_home(where: Path, inbox: Path) -> Path:
    """A new data home whose inboxes hold the inbox's files (hard links: no copying time)."""
    shutil.rmtree(where, ignore_errors=True)
    for part in ("submissions", "dti"):
        shutil.copytree(inbox / part, where / "inbox" / part, copy_function=os.link)
    return where


# --- floor, parse limit, naive script -------------------------------------------------------


def _every_cell(book: Any) -> int:
    rows = 0
    for name in book.sheet_names:
        rows += len(book.get_sheet_by_name(name).to_python(skip_empty_area=True))
    return rows


def read_every_cell(path: str) -> int:
    """The parse limit's work for one file: calamine reads every cell of every sheet."""
    from python_calamine import CalamineWorkbook

    try:
        return _every_cell(CalamineWorkbook.from_path(path))
    except Exception:  # a broken download, a CSV: read, nothing parsed
        return 0


def floor_one(job: tuple[str, str]) -> int:
    """The floor's work for one file: read once, SHA-256, copy into the archive, every cell."""
    from python_calamine import CalamineWorkbook

    path, archive = job
    data = Path(path).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    (Path(archive) / f"{digest}{Path(path).suffix}").write_bytes(data)
    try:
        return _every_cell(CalamineWorkbook.from_filelike(io.BytesIO(data)))
    except Exception:
        return 0


def _pool_run(fn: Callable[[Any], int], jobs: Sequence[Any]) -> dict[str, Any]:
    """Rows, wall seconds and the pool's CPU seconds (its processes, user + system)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with ProcessPoolExecutor(cores()) as pool:
        rows = sum(pool.map(fn, jobs, chunksize=32))
    seconds = time.perf_counter() - started
    cpu = _cpu(before, resource.getrusage(resource.RUSAGE_CHILDREN))
    return {"seconds": seconds, "cpu_seconds": cpu, "rows": rows}


def floor(files: list[Path], archive: Path) -> dict[str, Any]:
    shutil.rmtree(archive, ignore_errors=True)
    archive.mkdir(parents=True)
    done = _pool_run(floor_one, [(str(p), str(archive)) for p in files])
    shutil.rmtree(archive, ignore_errors=True)
    return done


def parse_limit(files: list[Path]) -> dict[str, Any]:
    return _pool_run(read_every_cell, [str(p) for p in files])


def naive_concat_text(files: list[Path]) -> dict[str, Any]:
    """The fixed naive script: pandas + openpyxl, every sheet as text, one bulk insert."""
    import duckdb
    import pandas as pd

    started = time.perf_counter()
    frames = []
    for path in files:
        try:
            sheets = pd.read_excel(path, sheet_name=None, engine="openpyxl")
        except Exception:  # a broken download or not a workbook: the script skips it
            continue
        for name, frame in sheets.items():
            frames.append(frame.astype(str).assign(source_file=path.name, sheet=name))
    table = pd.concat(frames, ignore_index=True)
    with duckdb.connect() as con:
        con.register("peer", table)
        con.execute("create table landed as select * from peer")
        row = con.execute("select count(*) from landed").fetchone()
    return {"seconds": time.perf_counter() - started, "rows": int(row[0]) if row else 0}


def naive_sample(files: list[Path], size: int) -> list[Path]:
    step = max(1, len(files) // max(size, 1))
    return files[::step][:size]


# --- the commands -----------------------------------------------------------------------------


_PR_SET_CHILD_SUBREAPER = 36
# How long a command's orphaned processes (a fork server after its parent exits) are waited for.
_ORPHANS_CEILING_SECONDS = 30.0


def adopt_orphans(adopt: bool = True) -> bool:
    """Make this process the reaper of its descendants' orphans (Linux), so that every process
    a command starts is waited for here and its CPU counted in ``RUSAGE_CHILDREN``
    (``adopt=False`` gives them back to init). Returns whether it took effect.

    ``dxwh ingest`` reads files in workers forked by a fork server; the server outlives the
    command by a moment and was reaped by init, so the workers' CPU (most of the command's)
    was never counted."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(_PR_SET_CHILD_SUBREAPER, int(adopt), 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


@contextlib.contextmanager
def orphans_adopted() -> Iterator[None]:
    """:func:`adopt_orphans` for the block only: a test process running the bench is not left
    the reaper of other tests' processes."""
    adopt_orphans()
    try:
        yield
    finally:
        adopt_orphans(False)


def children() -> set[int]:
    """This process's children (Linux ``/proc``): those it started, and the orphans it adopted."""
    me, found = os.getpid(), set()
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[1]) == me:
            found.add(int(entry.name))
    return found


def reap_orphans(before: set[int], ceiling: float = _ORPHANS_CEILING_SECONDS) -> None:
    """Wait for the children this process has now and did not have ``before`` (a command's
    processes it adopted, see :func:`adopt_orphans`), up to ``ceiling`` seconds: one that
    outlives that is left running and its CPU uncounted. Other children are left alone."""
    deadline = time.monotonic() + ceiling
    while waiting := children() - before:
        for pid in waiting:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
        if time.monotonic() > deadline:
            return
        time.sleep(0.02)  # polling for their exit, bounded by the ceiling


def run_command(args: Sequence[str], env: dict[str, str]) -> dict[str, Any]:
    """Run a command to its end: wall seconds, CPU seconds (user + system) and peak RSS, of
    the command and (after :func:`adopt_orphans`) every process it started."""
    before = children()
    started = time.perf_counter()
    proc = subprocess.Popen(
        args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    reap_orphans(before)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{out[-3000:]}\n{err[-3000:]}")
    return {"seconds": seconds, "stdout": out, "rusage": usage}


def _cpu(before: resource.struct_rusage, after: resource.struct_rusage) -> float:
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def timed_command(args: Sequence[str], env: dict[str, str]) -> dict[str, Any]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = run_command(args, env)
    return {
        "seconds": done["seconds"],
        "cpu_seconds": _cpu(before, done["rusage"]),
        "stdout": done["stdout"],
    }


_IN_PROCESS = re.compile(r"files/s, \d+ rows/s \(([\d.]+) s\)")


def dxwh_ingest(home: Path, scale: str) -> dict[str, Any]:
    done = timed_command([str(DXWH), "ingest"], _env(home, scale))
    found = _IN_PROCESS.search(done["stdout"])
    return {
        "seconds": done["seconds"],
        "cpu_seconds": done["cpu_seconds"],
        "in_process_seconds": float(found.group(1)) if found else None,
    }


def dxwh_run(home: Path, scale: str) -> dict[str, Any]:
    done = timed_command([str(DXWH), "run"], _env(home, scale))
    return {"seconds": done["seconds"], "quiet": "a quiet night" in done["stdout"]}


def dxwh_sql(home: Path, scale: str) -> dict[str, Any]:
    done = timed_command([str(DXWH), "sql", SQL_QUERY], _env(home, scale))
    return {"seconds": done["seconds"], "cpu_seconds": done["cpu_seconds"]}


# --- one round, many rounds -------------------------------------------------------------------


def one_round(
    files: list[Path], sample: list[Path], inbox: Path, work: Path, scale: str, with_run: bool
) -> dict[str, Any]:
    round_: dict[str, Any] = {"load_at_start": load()}
    _progress("floor")
    round_["floor"] = floor(files, work / "floor-archive")
    _progress("parse limit")
    round_["parse_limit"] = parse_limit(files)
    _progress(f"naive script on {len(sample)} files")
    round_["naive_script"] = naive_concat_text(sample)
    _progress("dxwh ingest")
    home = fresh_home(work / "ingest-home", inbox)
    round_["dxwh_ingest"] = dxwh_ingest(home, scale)
    _progress("dxwh ingest, nothing new")
    round_["dxwh_ingest_nothing_new"] = dxwh_ingest(home, scale)
    if with_run:
        _progress("dxwh run, a full night")
        home = fresh_home(work / "run-home", inbox)
        round_["dxwh_run_full"] = dxwh_run(home, scale)
        _progress("dxwh run, a quiet night")
        round_["dxwh_run_quiet"] = dxwh_run(home, scale)
        _progress("dxwh sql")
        round_["dxwh_sql"] = dxwh_sql(home, scale)
        round_["peak_rss_mb_largest_child"] = round(
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        )
    round_["load_at_end"] = load()
    return round_


def spread(values: list[float], digits: int = 3) -> dict[str, float]:
    return {
        "min": round(min(values), digits),
        "median": round(statistics.median(values), digits),
        "max": round(max(values), digits),
    }


def summarise(rounds: list[dict[str, Any]], n_files: int, n_sample: int) -> dict[str, Any]:
    """Min / median / max of every figure over the rounds; ratios taken within each round."""

    def per_round(key: str, field: str = "seconds") -> list[float]:
        return [r[key][field] for r in rounds if key in r and r[key].get(field) is not None]

    out: dict[str, Any] = {}
    rates = {
        "floor": n_files,
        "parse_limit": n_files,
        "naive_script": n_sample,
        "dxwh_ingest": n_files,
    }
    for key, n in rates.items():
        out[f"{key}_files_per_s"] = spread([n / s for s in per_round(key)], 1)
    out["dxwh_ingest_in_process_files_per_s"] = spread(
        [n_files / s for s in per_round("dxwh_ingest", "in_process_seconds")], 1
    )
    for key in ("floor", "parse_limit", "naive_script", "dxwh_ingest", "dxwh_ingest_nothing_new",
                "dxwh_run_full", "dxwh_run_quiet", "dxwh_sql"):  # fmt: skip
        if per_round(key):
            out[f"{key}_s"] = spread(per_round(key), 2)
    for key in ("dxwh_ingest_nothing_new", "dxwh_sql"):  # single processes: their CPU is whole
        if per_round(key, "cpu_seconds"):
            out[f"{key}_cpu_s"] = spread(per_round(key, "cpu_seconds"), 2)
    # CPU per file (user + system of every process): what a loaded machine inflates least
    for key in ("floor", "parse_limit", "dxwh_ingest"):
        if per_round(key, "cpu_seconds"):
            out[f"{key}_cpu_ms_per_file"] = spread(
                [1000 * c / n_files for c in per_round(key, "cpu_seconds")], 3
            )
    if per_round("floor", "cpu_seconds") and per_round("dxwh_ingest", "cpu_seconds"):
        out["ingest_vs_floor_cpu"] = spread(
            [
                f / i
                for f, i in zip(
                    per_round("floor", "cpu_seconds"),
                    per_round("dxwh_ingest", "cpu_seconds"),
                    strict=True,
                )
            ],
            3,
        )
    ingest = per_round("dxwh_ingest")
    out["ingest_vs_floor"] = spread(
        [f / i for f, i in zip(per_round("floor"), ingest, strict=True)], 3
    )
    out["ingest_vs_parse_limit"] = spread(
        [p / i for p, i in zip(per_round("parse_limit"), ingest, strict=True)], 3
    )
    out["ingest_vs_naive_script"] = spread(
        [
            (n_files / i) / (n_sample / s)
            for s, i in zip(per_round("naive_script"), ingest, strict=True)
        ],
        1,
    )
    rss = [r["peak_rss_mb_largest_child"] for r in rounds if "peak_rss_mb_largest_child" in r]
    if rss:
        out["peak_rss_mb_largest_child"] = max(rss)
    return out


def run_bench(args: argparse.Namespace) -> dict[str, Any]:
    from core.settings import load_settings

    scale = "province" if args.quick else "national"
    root = load_settings().home / "bench"
    figures: dict[str, Any] = {
        "scale": scale,
        "machine": {
            "cores": cores(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
    }
    _progress(f"the {scale} inbox")
    inbox = write_inbox(root / f"inbox-{scale}", scale, args.quick)
    files = inbox_files(inbox)
    sample = naive_sample(files, args.sample)
    figures["inbox"] = {
        "files": len(files),
        "xlsx_files": sum(p.suffix == ".xlsx" for p in files),
        "naive_sample_files": len(sample),
    }
    rounds = []
    with orphans_adopted():  # the commands' worker processes are counted too
        for n in range(args.repeat):
            _progress(f"round {n + 1} of {args.repeat}")
            rounds.append(one_round(files, sample, inbox, root / "work", scale, not args.skip_run))
            # a long run that fails keeps the rounds before it
            partial = root / f"commands-{scale}-partial.json"
            partial.write_text(json.dumps(figures | {"rounds": rounds}, indent=1), encoding="utf-8")
    shutil.rmtree(root / "work", ignore_errors=True)
    figures["rounds"] = rounds
    figures["summary"] = summarise(rounds, len(files), len(sample))
    return figures


# --- the table --------------------------------------------------------------------------------


def _mmm(s: dict[str, float], fmt: str) -> str:
    return f"{s['min']:{fmt}} / {s['median']:{fmt}} / {s['max']:{fmt}}"


def format_table(f: dict[str, Any]) -> str:
    """The table ``make bench`` prints and the docs quote (generated from the JSON)."""
    s, inbox = f["summary"], f["inbox"]
    loads = [r[when][0] for r in f["rounds"] for when in ("load_at_start", "load_at_end")]
    lines = [
        f"dxwh bench ({f['stamp']}): {f['scale']} demo, {inbox['files']:,} files, "
        f"{len(f['rounds'])} rounds; {f['machine']['cores']} cores, "
        f"1-min load {min(loads):.1f} to {max(loads):.1f}",
        f"{'what (min / median / max over the rounds)':<50} {'files/s':>26}",
    ]

    def rate(label: str, key: str) -> None:
        lines.append(f"{label:<50} {_mmm(s[key], ',.0f'):>26}")

    rate("floor: read, SHA-256, archive copy, every cell", "floor_files_per_s")
    rate("parse limit: calamine, every cell, no copy", "parse_limit_files_per_s")
    rate(f"naive script ({inbox['naive_sample_files']} files, 1 process)",
         "naive_script_files_per_s")  # fmt: skip
    rate("dxwh ingest, the command (process wall time)", "dxwh_ingest_files_per_s")
    rate("  its step_ingest, timed inside the process", "dxwh_ingest_in_process_files_per_s")
    lines.append(f"{'ratios of files/s, within each round':<50} {'':>26}")
    for label, key, fmt in (
        ("  dxwh ingest / floor", "ingest_vs_floor", ".2f"),
        ("  dxwh ingest / parse limit", "ingest_vs_parse_limit", ".2f"),
        ("  dxwh ingest / naive script", "ingest_vs_naive_script", ".1f"),
    ):
        lines.append(f"{label:<50} {_mmm(s[key], fmt):>26}")
    if "dxwh_ingest_cpu_ms_per_file" in s:
        lines.append(f"{'CPU ms per file (user + system, every process)':<50} {'':>26}")
        for label, key in (
            ("  floor", "floor_cpu_ms_per_file"),
            ("  parse limit", "parse_limit_cpu_ms_per_file"),
            ("  dxwh ingest, the command", "dxwh_ingest_cpu_ms_per_file"),
        ):
            if key in s:
                lines.append(f"{label:<50} {_mmm(s[key], '.3f'):>26}")
        if "ingest_vs_floor_cpu" in s:
            lines.append(f"{'  floor CPU / dxwh ingest CPU':<50} "
                         f"{_mmm(s['ingest_vs_floor_cpu'], '.2f'):>26}")  # fmt: skip
    lines.append(f"{'':<50} {'seconds':>26}")

    def secs(label: str, key: str) -> None:
        if key in s:
            lines.append(f"{label:<50} {_mmm(s[key], '.2f'):>26}")

    secs("dxwh ingest, the command (wall)", "dxwh_ingest_s")
    secs("dxwh ingest, nothing new (wall)", "dxwh_ingest_nothing_new_s")
    secs("dxwh run, a full night (wall)", "dxwh_run_full_s")
    secs("dxwh run, a quiet night (wall)", "dxwh_run_quiet_s")
    secs("dxwh sql one-shot (wall)", "dxwh_sql_s")
    secs("dxwh sql one-shot (CPU, user + system)", "dxwh_sql_cpu_s")
    if "peak_rss_mb_largest_child" in s:
        lines.append(f"{'peak RSS, largest process started (MB)':<50} "
                     f"{s['peak_rss_mb_largest_child']:>26,}")  # fmt: skip
    return "\n".join(line.rstrip() for line in lines)


def main(argv: list[str] | None = None) -> int:
    from core.settings import load_settings

    parser = argparse.ArgumentParser(description="What users run, against the floor (make bench).")
    parser.add_argument("--quick", action="store_true", help="a few dozen province files")
    parser.add_argument("--repeat", type=int, default=3, help="rounds (default 3)")
    parser.add_argument("--sample", type=int, default=300, help="files for the naive script")
    parser.add_argument("--skip-run", action="store_true", help="leave out dxwh run and dxwh sql")
    parser.add_argument(
        "--record", action="store_true", help=f"also write {RECORD.relative_to(REPO)}"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.sample = min(args.sample, 10)
    figures = run_bench(args)
    figures["stamp"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    out_dir = load_settings().home / "bench"
    out = out_dir / f"commands-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}.json"
    text = json.dumps(figures, indent=1, ensure_ascii=False) + "\n"
    out.write_text(text, encoding="utf-8")
    if args.record:
        RECORD.parent.mkdir(parents=True, exist_ok=True)
        RECORD.write_text(text, encoding="utf-8")
    print(format_table(figures))
    print(f"figures: {out}" + (f" and {RECORD}" if args.record else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
