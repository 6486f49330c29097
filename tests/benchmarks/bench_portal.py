"""``make bench-portal``: deadline day at the portal, with and without a night running.

    python -m tests.benchmarks.bench_portal [--waves 100,300,1000] [--skip-night] [--workers N]

On a fresh demo home (``dxwh demo-data``, the province scale) it serves the portal as users
get it (``dxwh portal serve``: one worker process per core unless ``--workers``) and issues a
token to every unit that reports today. Each unit's upload is its own workbook (the template,
filled for the unit and the newest period, its own preparer's name so no two files are the
same). Then:

- **waves**: 100, 300 and 1,000 uploads sent at once through ``POST /api/submissions``, the
  units taking turns (a unit sends several in the bigger waves, within the hourly limit), while
  one signed-in office clerk reloads ``/office`` one request after the other;
- **with a night**: ``dxwh run`` is started on the same home (its inbox holds the demo and the
  waves' files), and once its ingest has begun a wave of the largest size is sent; the night
  must still end well.

Per wave: the time from sending a request to its answer (p50 / p95 / max), answers other than
200, uploads answered as queued whose file is in neither the portal's inbox folder nor the
archive afterwards (lost), the office page's p50 / p95, the CPU time per upload of the
server's processes (office page loads included) and of this client (it runs on the same
machine and shares its cores), and at the end the server's peak RSS: each process's
``VmHWM`` (the supervisor and its workers), summed. Figures go to
``<data home>/bench/portal-<time>.json`` (``--record``: also to ``docs/bench/portal.json``).
Nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.benchmarks.bench_commands import DXWH, REPO, load

RECORD = REPO / "docs" / "bench" / "portal.json"
READY_CEILING_S = 120.0  # a loaded machine may take long to start a server; never a fixed sleep


def _progress(what: str) -> None:
    print(f"bench {dt.datetime.now():%H:%M:%S} load {load()[0]:.2f} {what}", file=sys.stderr,
          flush=True)  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DXWH_HOME": str(home),
        "DXWH_REGISTRY_SCOPE": "province",
        "DXWH_TASK_RETRIES": "0",
        "AIRFLOW__COSMOS__CACHE_DIR": str(home / "cosmos"),
    }


# --- the home, the tokens, the workbooks ------------------------------------------------------


def reporting_units(today: dt.date) -> list[Any]:
    """The province registry's units that report today."""
    from ingest.registry import build_registry

    return [
        u
        for u in build_registry("province")
        if u.has_reporting_duty
        and u.valid_from <= today
        and (u.valid_to is None or u.valid_to > today)
    ]


def prepare_home(home: Path, uploads: int) -> tuple[list[tuple[str, str]], str, list[Path]]:
    """Demo data, a token per reporting unit and one for the office, ``uploads`` workbooks.

    Returns (unit id, token) pairs, the office token, and the workbooks, the i-th of them for
    unit ``i % units``: each unit's k-th workbook is filled by its own "Cán bộ k"."""
    shutil.rmtree(home, ignore_errors=True)
    subprocess.run([str(DXWH), "demo-data"], env=_env(home), check=True, capture_output=True)
    from core.periods import period_label
    from core.settings import load_settings
    from ingest.registry import build_registry
    from ingest.submissions.template import (
        EXAMPLE_STAFF,
        EXAMPLE_UNIT,
        period_choices,
        write_template,
    )
    from portal.config import load_portal_config
    from portal.store import PortalStore

    settings = load_settings(_env(home))
    config = load_portal_config(settings)
    config.ensure_dirs()
    store = PortalStore(config.state_db)
    today = dt.date.today()
    units = reporting_units(today)
    registry = build_registry("province")  # once: the template would build it per workbook
    period = period_choices(today, registry)[0]
    tokens = [(u.unit_id, store.issue_token("unit", u.unit_id, "bench", "bench")[1]) for u in units]
    office = store.issue_token("office", None, "bench", "bench")[1]
    books = home.parent / "workbooks"
    shutil.rmtree(books, ignore_errors=True)
    paths: list[Path] = []
    for i in range(uploads):
        u, k = units[i % len(units)], i // len(units)
        fields = {
            **EXAMPLE_UNIT,
            "unit_code": u.unit_id,
            "unit_name": u.unit_name,
            "unit_type": u.unit_type,
            "period": period_label(period),
            "prepared_by": f"Cán bộ {k + 1}",
            "submitted_on": today,
        }
        book = books / f"{u.unit_id}_{k}.xlsx"
        paths.append(write_template(book, fields, EXAMPLE_STAFF, today=today, units=registry))
    return tokens, office, paths


# --- the server -------------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    """Every live process below ``pid``."""
    below: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            below.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in below.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class Server:
    def __init__(self, home: Path, workers: int = 0) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = (home.parent / "portal-server.log").open("w")
        self.proc = subprocess.Popen(
            [str(DXWH), "portal", "serve", "--port", str(self.port)]
            + (["--workers", str(workers)] if workers else []),
            env=_env(home),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self) -> None:
        import httpx

        deadline = time.monotonic() + READY_CEILING_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the portal ended with {self.proc.returncode}")
            try:
                if httpx.get(f"{self.url}/login", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)  # polling a condition, with a generous ceiling
        raise RuntimeError(f"the portal did not answer within {READY_CEILING_S:.0f} s")

    def processes(self) -> list[int]:
        return [self.proc.pid, *_children(self.proc.pid)]

    def peak_rss_mb(self) -> float:
        """Each server process's peak RSS, summed (the supervisor and its workers)."""
        total = 0
        for pid in self.processes():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            found = re.search(r"VmHWM:\s+(\d+) kB", status)
            total += int(found.group(1)) if found else 0
        return round(total / 1024, 1)

    def cpu_seconds(self) -> float:
        """User and system CPU time of the server's live processes so far."""
        ticks = 0
        for pid in self.processes():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


# --- a wave -----------------------------------------------------------------------------------


def _quantiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0}
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "n": len(ordered),
        "p50": round(statistics.median(ordered), 3),
        "p95": round(p95, 3),
        "max": round(ordered[-1], 3),
    }


async def _office_loop(url: str, office_token: str, stop: asyncio.Event) -> list[float]:
    import httpx

    times: list[float] = []
    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        page = await client.get("/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        signed_in = await client.post(
            "/login", data={"token": office_token, "csrf_token": csrf.group(1) if csrf else ""}
        )
        if signed_in.status_code not in (200, 303):
            raise RuntimeError(f"the office could not sign in: {signed_in.status_code}")
        while not stop.is_set():
            started = time.perf_counter()
            answer = await client.get("/office")
            if answer.status_code == 200 and "/logout" in answer.text:
                times.append(time.perf_counter() - started)
    return times


async def _wave(
    url: str, uploads: list[tuple[str, Path]], office_token: str
) -> tuple[list[dict[str, Any]], list[float]]:
    import httpx

    limits = httpx.Limits(max_connections=len(uploads) + 1, max_keepalive_connections=0)
    stop = asyncio.Event()
    office = asyncio.create_task(_office_loop(url, office_token, stop))
    async with httpx.AsyncClient(base_url=url, timeout=600, limits=limits) as client:

        async def one(token: str, path: Path) -> dict[str, Any]:
            data = path.read_bytes()
            started = time.perf_counter()
            try:
                answer = await client.post(
                    "/api/submissions",
                    headers={"Authorization": f"Bearer {token}"},
                    files={"file": (path.name, data, "application/octet-stream")},
                )
            except httpx.HTTPError as exc:
                return {"seconds": time.perf_counter() - started, "status": type(exc).__name__}
            seconds = time.perf_counter() - started
            body = answer.json() if answer.status_code == 200 else {}
            return {
                "seconds": seconds,
                "status": answer.status_code,
                "queued": bool(body.get("queued")),
                "verdict": body.get("verdict"),
                "sha256": hashlib.sha256(data).hexdigest(),
            }

        results = await asyncio.gather(*(one(token, path) for token, path in uploads))
    stop.set()
    return list(results), await office


def _files_on_disk(home: Path) -> set[str]:
    """SHA-256 of every file in the portal's inbox folder and in the archive."""
    found: set[str] = set()
    for where in (home / "inbox" / "submissions" / "portal", home / "archive"):
        if where.is_dir():
            for path in where.rglob("*"):
                if path.is_file():
                    found.add(hashlib.sha256(path.read_bytes()).hexdigest())
    return found


def wave_figures(
    results: list[dict[str, Any]], office: list[float], seconds: float
) -> dict[str, Any]:
    ok = [r for r in results if r["status"] == 200]
    errors: dict[str, int] = {}
    for r in results:
        if r["status"] != 200:
            errors[str(r["status"])] = errors.get(str(r["status"]), 0) + 1
    verdicts: dict[str, int] = {}
    for r in ok:
        verdicts[str(r["verdict"])] = verdicts.get(str(r["verdict"]), 0) + 1
    return {
        "uploads": len(results),
        "wall_s": round(seconds, 2),
        "answer_s": _quantiles([r["seconds"] for r in results]),
        "answered_200": len(ok),
        "queued": sum(r["queued"] for r in ok),
        "verdicts": verdicts,
        "errors": errors,
        "office_page_s": _quantiles(office),
    }


def _own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def run_wave(
    server: Server, home: Path, uploads: list[tuple[str, Path]], office: str
) -> dict[str, Any]:
    server_cpu, client_cpu = server.cpu_seconds(), _own_cpu_seconds()
    started = time.perf_counter()
    results, office_times = asyncio.run(_wave(server.url, uploads, office))
    figures = wave_figures(results, office_times, time.perf_counter() - started)
    figures["server_cpu_ms_per_upload"] = round(
        (server.cpu_seconds() - server_cpu) / len(uploads) * 1000, 2
    )
    figures["client_cpu_ms_per_upload"] = round(
        (_own_cpu_seconds() - client_cpu) / len(uploads) * 1000, 2
    )
    figures["_queued_sha"] = [r["sha256"] for r in results if r.get("queued")]
    figures["load_at_end"] = load()
    return figures


def _lost(home: Path, waves: list[dict[str, Any]]) -> None:
    on_disk = _files_on_disk(home)
    for wave in waves:
        wave["lost"] = sum(sha not in on_disk for sha in wave.pop("_queued_sha"))


def _night_started_ingest(home: Path, night: subprocess.Popen[bytes]) -> bool:
    archive = home / "archive"
    return night.poll() is not None or (
        archive.is_dir() and any(p.is_file() for p in archive.rglob("*.xlsx"))
    )


def run_bench(args: argparse.Namespace) -> dict[str, Any]:
    from core.settings import load_settings

    sizes = [int(n) for n in args.waves.split(",")]
    root = load_settings().home / "bench" / "portal"
    home = root / "home"
    _progress("demo home, tokens, workbooks")
    tokens, office, books = prepare_home(home, sum(sizes) + (0 if args.skip_night else max(sizes)))
    figures: dict[str, Any] = {
        "units_with_tokens": len(tokens),
        "load_at_start": load(),
        "waves": [],
    }
    server = Server(home, args.workers)
    cursor = 0

    def next_uploads(n: int) -> list[tuple[str, Path]]:
        nonlocal cursor
        chosen = [(tokens[i % len(tokens)][1], books[i]) for i in range(cursor, cursor + n)]
        cursor += n
        return chosen

    try:
        server.wait_ready()
        # the workers start one after the other: every one answering before the first wave
        deadline = time.monotonic() + READY_CEILING_S
        wanted = args.workers or len(os.sched_getaffinity(0))
        while len(_workers(server)) < wanted and time.monotonic() < deadline:
            time.sleep(0.2)  # polling a condition, with a generous ceiling
        figures["server_workers"] = len(_workers(server)) or 1
        for size in sizes:
            _progress(f"{size} uploads at once")
            figures["waves"].append(
                {"night": False} | run_wave(server, home, next_uploads(size), office)
            )
        if not args.skip_night:
            _progress("a night, and the largest wave once its ingest has begun")
            log = (root / "night.log").open("w")
            night = subprocess.Popen(
                [str(DXWH), "run"], env=_env(home), stdout=log, stderr=subprocess.STDOUT
            )
            deadline = time.monotonic() + 600
            while not _night_started_ingest(home, night) and time.monotonic() < deadline:
                time.sleep(0.2)  # polling a condition, with a generous ceiling
            wave = run_wave(server, home, next_uploads(max(sizes)), office)
            _progress("waiting for the night to end")
            night_started = time.perf_counter()
            code = night.wait()
            log.close()
            wave |= {
                "night": True,
                "night_running_when_sent": True,
                "night_exit_code": code,
                "night_succeeded": code == 0,
                "night_rest_s": round(time.perf_counter() - night_started, 1),
            }
            figures["waves"].append(wave)
        figures["server_peak_rss_mb"] = server.peak_rss_mb()
    finally:
        server.stop()
    _lost(home, figures["waves"])
    figures["load_at_end"] = load()
    return figures


def _workers(server: Server) -> list[int]:
    """The server's worker processes (uvicorn's, started by ``multiprocessing``)."""
    found = []
    for pid in _children(server.proc.pid):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in command:
            found.append(pid)
    return found


def format_table(f: dict[str, Any]) -> str:
    lines = [
        f"dxwh bench-portal ({f['stamp']}): {f['units_with_tokens']} units' tokens, "
        f"1-min load {f['load_at_start'][0]:.1f} at start, {f['load_at_end'][0]:.1f} at end",
        f"{'uploads at once':<22} {'answer p50 / p95 / max s':>25} {'errors':>7} {'lost':>5} "
        f"{'office loads, p50 / p95 / max s':>32} {'CPU ms/upload server, client':>29}",
    ]
    for w in f["waves"]:
        a, o = w["answer_s"], w["office_page_s"]
        label = f"{w['uploads']:,}" + (", night running" if w["night"] else "")
        office = (
            f"{o['n']}, {o['p50']:.2f} / {o['p95']:.2f} / {o['max']:.2f}"
            if o.get("n")
            else "none loaded"
        )
        cpu = (
            f"{w['server_cpu_ms_per_upload']:.1f}, {w['client_cpu_ms_per_upload']:.1f}"
            if "server_cpu_ms_per_upload" in w
            else "not measured"
        )
        lines.append(
            f"{label:<22} {a['p50']:>7.2f} / {a['p95']:.2f} / {a['max']:.2f}"
            f"{sum(w['errors'].values()):>8} {w['lost']:>5} {office:>32} {cpu:>29}"
        )
    night = [w for w in f["waves"] if w["night"]]
    if night:
        lines.append("the night: " + ("ended well" if night[0]["night_succeeded"] else "FAILED"))
    if "server_workers" in f:
        lines.append(
            f"portal server: {f['server_workers']} worker process(es), peak RSS "
            f"{f['server_peak_rss_mb']:,.0f} MB (each process's peak, summed)"
        )
    else:  # a record from before the workers: one process
        lines.append(f"portal server peak RSS: {f['server_peak_rss_mb']:,.0f} MB")
    return "\n".join(line.rstrip() for line in lines)


def main(argv: list[str] | None = None) -> int:
    from core.settings import load_settings

    parser = argparse.ArgumentParser(description="Deadline day at the portal (make bench-portal).")
    parser.add_argument("--waves", default="100,300,1000", help="uploads at once, per wave")
    parser.add_argument("--skip-night", action="store_true", help="no wave with a night running")
    parser.add_argument(
        "--workers", type=int, default=0, help="portal worker processes (default: one per core)"
    )
    parser.add_argument(
        "--record", action="store_true", help=f"also write {RECORD.relative_to(REPO)}"
    )
    args = parser.parse_args(argv)
    bench_home = load_settings().home
    figures = run_bench(args)
    figures["stamp"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = json.dumps(figures, indent=1, ensure_ascii=False) + "\n"
    out = bench_home / "bench" / f"portal-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(text, encoding="utf-8")
    if args.record:
        RECORD.parent.mkdir(parents=True, exist_ok=True)
        RECORD.write_text(text, encoding="utf-8")
    print(format_table(figures))
    print(f"figures: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
