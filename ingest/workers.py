"""Run a reader over many files in worker processes that one bad file cannot take down.

Spreadsheet readers are native code (python-calamine, lxml): a hostile file can make them
abort the process (a sparse cell at XFD1048576 asks for 512 GiB), allocate without bound or
loop for minutes. So each file is read in a worker process with an address-space limit
(``RLIMIT_AS``) and a wall-clock limit watched by the parent. A worker that raises, dies (a
signal, the memory limit) or overruns its time turns into a :class:`Failure` for that one file;
the worker is replaced and the other files go on.

Workers are forked from a ``forkserver``: a fresh single-threaded interpreter that has imported
the readers once, so a new worker (at start, or after a crash) costs a fork, not a second of
imports; forking the (threaded) Airflow task process itself left workers waiting forever on a
lock copied mid-use. A worker asks the kernel to kill it when its parent (the fork server) dies,
and the fork server exits when the process that started it dies: a killed ingest leaves no
worker behind.

``multiprocessing``'s own pools are not used: ``ProcessPoolExecutor`` marks the whole pool
broken when one worker dies, without saying which file killed it, and has no per-task time
limit; here a worker answers its files one by one, in the order sent, so a death is always
attributed to the file it was running, and the files queued behind it go to its successor.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import resource
import signal
import sys
import time
import traceback
import types
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence, Sized
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import forkserver
from multiprocessing.connection import Connection, wait
from typing import Any

# A file's reading is refused with these codes (``ingest.problems`` has their messages).
TIMEOUT = "FILE_TIMEOUT"
TOO_COMPLEX = "FILE_TOO_COMPLEX"
PARSER_FAILED = "PARSER_FAILED"

_PR_SET_PDEATHSIG = 1
# A worker that dies before it is ready this many times in a row means workers cannot start
# here at all (not a bad file): the run stops with an error instead of retrying forever.
_MAX_START_FAILURES = 3
_STOP_GRACE_SECONDS = 5.0
# Tasks queued at a worker beyond the one it runs. Each file still has its own time limit
# (counted from when the worker answered the one before), and a death is still attributed to
# the one file that was running: the worker answers in order.
# Sixteen, not four: on a loaded machine the parent may wait longer for a core than a worker
# takes to read four small files, and a worker with nothing queued sits idle meanwhile.
_IN_FLIGHT = 16


@dataclass(frozen=True)
class Limits:
    """What one file may cost its worker: wall-clock seconds and address space in bytes."""

    seconds: float = 120.0
    memory_bytes: int = 1024**3  # 0 = no limit

    def __post_init__(self) -> None:
        if self.seconds <= 0:
            raise ValueError("Limits.seconds must be > 0")


@dataclass(frozen=True)
class Failure:
    """Why a file's reading did not return: a problem code, a one-line detail, the traceback."""

    code: str
    detail: str
    traceback: str | None = None


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent (the fork server) exits."""
    parent_pid = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)


def _worker_main(
    conn: Connection,
    setup: Callable[..., None] | None,
    setup_args: tuple[Any, ...],
    memory_bytes: int,
) -> None:
    _die_with_parent()
    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    if setup is not None:
        setup(*setup_args)
    conn.send(("ready", None, None))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        index, fn, arg = message
        try:
            reply: tuple[Any, bool, Any] = (index, True, fn(arg))
            conn.send(reply)
        except MemoryError:
            # a native library may be left in any state: the parent retires this worker
            _send_failure(conn, index, TOO_COMPLEX, "MemoryError")
        except Exception as exc:
            _send_failure(conn, index, PARSER_FAILED, f"{type(exc).__name__}: {exc}"[:300])


def _send_failure(conn: Connection, index: int, code: str, detail: str) -> None:
    try:
        conn.send((index, False, Failure(code, detail, traceback.format_exc())))
    except Exception:
        os._exit(70)  # the parent sees the death and records it for this file


@contextmanager
def _main_module_hidden() -> Iterator[None]:
    """Start processes without telling them about ``__main__``.

    ``multiprocessing`` re-runs the parent's main script or module in every new worker so that
    functions defined there can be unpickled. Workers here only run functions of importable
    modules, and the main script may be an Airflow task runner (seconds of imports per worker)
    or not exist at all (``python -`` reading stdin, which makes every worker fail to start).
    """
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


class _Worker:
    def __init__(self, context: Any, target_args: tuple[Any, ...]) -> None:
        parent_conn, child_conn = context.Pipe()
        self.process = context.Process(
            target=_worker_main, args=(child_conn, *target_args), daemon=True
        )
        with _main_module_hidden():
            self.process.start()
        child_conn.close()
        self.conn: Connection = parent_conn
        self.ready = False
        # tasks sent and not answered, in the order the worker runs them; the first one is
        # running, and its deadline is ``deadline``
        self.tasks: deque[int] = deque()
        self.deadline = 0.0

    @property
    def task(self) -> int | None:
        """The task the worker is running (the first one sent and not answered)."""
        return self.tasks[0] if self.tasks else None

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()


def _death_failure(exitcode: int | None) -> Failure:
    if exitcode is not None and exitcode < 0:
        name = signal.Signals(-exitcode).name if -exitcode in signal.valid_signals() else exitcode
        # a native reader aborts (SIGABRT) when an allocation fails under the memory limit; the
        # kernel's OOM killer sends SIGKILL
        code = TOO_COMPLEX if -exitcode in (signal.SIGABRT, signal.SIGKILL) else PARSER_FAILED
        return Failure(code, f"reader process killed by {name}")
    return Failure(PARSER_FAILED, f"reader process exited with code {exitcode}")


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Answered:
    """An item of :func:`run_contained`'s tasks whose result is already known: it is yielded
    in its place, without a worker."""

    result: Any


class _Tasks:
    """The tasks drawn lazily, in order: each gets an index; answered ones go straight to the
    results; the others wait in ``pending`` (tasks given back by a dead worker go first)."""

    def __init__(self, tasks: Iterable[Any], results: dict[int, Any]) -> None:
        self._source = iter(tasks)
        self._results = results
        self.drawn = 0
        self.exhausted = False
        self.pending: deque[int] = deque()
        self.task_of: dict[int, Any] = {}

    def ready(self) -> bool:
        """Draw until a task waits for a worker (or the tasks run out); True when one does."""
        while not self.pending and not self.exhausted:
            try:
                item = next(self._source)
            except StopIteration:
                self.exhausted = True
                break
            index = self.drawn
            self.drawn += 1
            if isinstance(item, Answered):
                self._results[index] = item.result
            else:
                self.task_of[index] = item
                self.pending.append(index)
        return bool(self.pending)


def start_fork_server(preload: Sequence[str] = ()) -> None:
    """Start the fork server now, importing ``preload``, while the caller goes on.

    Its imports (the readers: about a second under load) then overlap the caller's own start-up
    (the registry, the inbox scan) instead of delaying the first file. Starting it starts no
    worker; :func:`run_contained` uses the running server (or starts it when nobody did).
    """
    context = multiprocessing.get_context("forkserver")
    if preload:
        context.set_forkserver_preload(list(preload))
    with _main_module_hidden():
        forkserver.ensure_running()


def run_contained(
    fn: Callable[[Any], Any],
    tasks: Iterable[Any],
    *,
    workers: int = 0,
    limits: Limits | None = None,
    setup: Callable[..., None] | None = None,
    setup_args: tuple[Any, ...] = (),
    preload: Sequence[str] = (),
) -> Generator[Any, None, None]:
    """``fn(task)`` for every task, in worker processes; results come in the order of ``tasks``.

    Each result is what ``fn`` returned, or a :class:`Failure` when it raised, its worker died
    or it ran past ``limits.seconds``; an :class:`Answered` item's result is yielded as it is.
    ``tasks`` is drawn lazily, as workers need work (so preparing a task, archiving its file
    say, overlaps with the reading of the ones before), and workers start only when a task
    needs one. ``fn`` and ``setup`` must be module-level functions (they are sent to the
    workers by name); ``setup(*setup_args)`` runs once in each worker. ``preload`` names
    modules the fork server imports once. Closing the iterator early stops every worker.
    """
    limits = limits or Limits()
    results: dict[int, Any] = {}
    queue = _Tasks(tasks, results)
    context = multiprocessing.get_context("forkserver")
    if preload:
        context.set_forkserver_preload(list(preload))
    n_workers = max(1, workers or default_workers())
    if isinstance(tasks, Sized):
        n_workers = min(n_workers, max(1, len(tasks)))
    target_args = (setup, setup_args, limits.memory_bytes)
    pool: list[_Worker] = []
    next_out = 0
    start_failures = 0
    try:
        while True:
            while next_out in results:
                yield results.pop(next_out)
                next_out += 1
            if not pool and queue.ready():
                pool = [_Worker(context, target_args) for _ in range(n_workers)]
            for worker in pool:
                _hand_out(worker, fn, queue, limits)
            if not any(w.tasks for w in pool) and not queue.ready():
                if next_out in results:
                    continue
                break  # every task drawn and answered
            busy = [w.deadline for w in pool if w.tasks]
            timeout = max(0.0, min(busy) - time.monotonic()) if busy else None
            ready = wait([w.conn for w in pool] + [w.process.sentinel for w in pool], timeout)
            replaced: list[_Worker] = []
            for worker in pool:
                dead = retire = timed_out = False
                if worker.conn in ready or worker.process.sentinel in ready:
                    try:
                        while worker.conn.poll():
                            index, _ok, payload = worker.conn.recv()
                            if index == "ready":
                                worker.ready = True
                                start_failures = 0
                                continue
                            results[index] = payload
                            queue.task_of.pop(index, None)
                            worker.tasks.popleft()
                            worker.deadline = time.monotonic() + limits.seconds
                            if isinstance(payload, Failure) and payload.code == TOO_COMPLEX:
                                retire = True  # its memory may be in any state
                                break
                    except (EOFError, OSError):
                        dead = True
                    dead = dead or retire or not worker.process.is_alive()
                if not dead and worker.tasks and time.monotonic() >= worker.deadline:
                    timed_out_task = worker.tasks.popleft()
                    queue.task_of.pop(timed_out_task, None)
                    results[timed_out_task] = Failure(
                        TIMEOUT, f"{limits.seconds:g} s", "stopped after the per-file time limit"
                    )
                    dead = timed_out = True
                if dead:
                    worker.kill()
                    if worker.tasks and not (retire or timed_out):
                        # it died running its first unanswered task: that file killed it
                        killed = worker.tasks.popleft()
                        queue.task_of.pop(killed, None)
                        results[killed] = _death_failure(worker.process.exitcode)
                    elif not worker.ready:
                        start_failures += 1
                        if start_failures >= _MAX_START_FAILURES:
                            raise RuntimeError(
                                "reader worker processes cannot start "
                                f"(exit code {worker.process.exitcode})"
                            )
                    # the tasks sent after the one that ended it were not run: first in line
                    queue.pending.extendleft(reversed(worker.tasks))
                    worker.tasks.clear()
                    replaced.append(worker)
            for worker in replaced:  # a successor only while tasks wait for one
                if queue.ready():
                    pool[pool.index(worker)] = _Worker(context, target_args)
                else:
                    pool.remove(worker)
    finally:
        _stop(pool)


def _hand_out(worker: _Worker, fn: Callable[[Any], Any], queue: _Tasks, limits: Limits) -> None:
    """Keep up to ``_IN_FLIGHT`` tasks queued at a ready worker, so that it starts its next
    file as soon as it has answered, not when the parent (busy writing a batch) gets to it."""
    while worker.ready and len(worker.tasks) < _IN_FLIGHT and queue.ready():
        task = queue.pending.popleft()
        try:
            worker.conn.send((task, fn, queue.task_of[task]))
        except OSError:  # the worker died idle: the task goes to its successor
            queue.pending.appendleft(task)
            return
        if not worker.tasks:
            worker.deadline = time.monotonic() + limits.seconds
        worker.tasks.append(task)


def _stop(pool: list[_Worker]) -> None:
    """Ask idle workers to finish, then kill whatever is still running after a grace period."""
    for worker in pool:
        with contextlib.suppress(OSError, ValueError):
            worker.conn.send(None)
    deadline = time.monotonic() + _STOP_GRACE_SECONDS
    for worker in pool:
        if worker.task is None:
            worker.process.join(max(0.0, deadline - time.monotonic()))
        worker.kill()
