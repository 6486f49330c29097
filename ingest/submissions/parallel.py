"""Read, check and shape many submission files in contained worker processes.

Parsing spreadsheets is CPU-bound and DuckDB allows one writer. So workers read and check each
archived file and turn it into its landing rows (:mod:`ingest.submissions.rows`), and the
caller appends them in input order: the tables do not depend on which worker finished first.
A file whose reading raises, crashes its worker or runs out of time or memory becomes a
rejected file with a code (:mod:`ingest.workers`); the other files go on.

Archiving stays in the caller: copying into the archive is file-system work that got slower,
not faster, when two workers did it at once (0.3 → 0.6 ms a file here).
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.loader import BatchContext
from ingest.problems import Problem
from ingest.registry import ReportingUnit
from ingest.submissions import READERS
from ingest.submissions.checks import CheckedSubmission, check_submission
from ingest.submissions.reader import ParsedFile, read_submission
from ingest.submissions.rows import (
    LandedFile,
    enforce_column_bounds,
    landed_rows,
)
from ingest.workers import (
    Answered,
    Failure,
    Limits,
    default_workers,
    run_contained,
)

__all__ = [
    "Answered",
    "FileTask",
    "check_files",
    "default_workers",
    "failed_check",
    "land_files",
]

_PRELOAD = READERS

_registry: Mapping[str, list[ReportingUnit]] = {}
_max_bytes = 0
_context: BatchContext | None = None


@dataclass(frozen=True)
class FileTask:
    """One archived file to land, and how it is recorded."""

    archived: Path  # the archived copy: what is read
    source: str  # the name it arrived under (its path in the inbox)
    sha: str
    arrival_seq: int


def _init(
    registry: Mapping[str, list[ReportingUnit]], max_bytes: int, context: BatchContext | None
) -> None:
    global _registry, _max_bytes, _context
    _registry, _max_bytes, _context = registry, max_bytes, context


def _check(path: Path, name: str | None = None) -> CheckedSubmission:
    return check_submission(read_submission(path, _max_bytes, name=name), _registry)


def _check_as_landed(path: Path) -> CheckedSubmission:
    """What ingest would make of the file: the checks, then the typed columns' bounds."""
    checked = _check(path)
    enforce_column_bounds(checked)
    return checked


def _land(task: FileTask) -> LandedFile:
    """The archived copy read under the name it arrived with, checked, and shaped into rows."""
    assert _context is not None, "_init sets the batch context"
    return landed_rows(
        _check(task.archived, name=Path(task.source).name),
        sha=task.sha,
        source=task.source,
        archived=str(task.archived),
        arrival_seq=task.arrival_seq,
        ctx=_context,
    )


def failed_check(path: Path, failure: Failure) -> CheckedSubmission:
    """A rejected file whose reading did not return, with the failure's problem code."""
    problem = Problem(failure.code, params={"detail": failure.detail})
    return CheckedSubmission(parsed=ParsedFile(path=path, problems=[problem]))


def check_files(
    paths: Sequence[Path],
    registry: Mapping[str, list[ReportingUnit]],
    max_bytes: int,
    workers: int = 0,
    limits: Limits | None = None,
) -> Iterator[CheckedSubmission]:
    """Read and check ``paths`` in contained workers; results come in the order of ``paths``.

    Each result is what ingest would record for the file (``dxwh check`` and ingest agree):
    a file whose reading failed comes back rejected with FILE_TIMEOUT, FILE_TOO_COMPLEX or
    PARSER_FAILED (see :func:`failed_check`), a value an integer column cannot hold is an error.
    """
    results = run_contained(
        _check_as_landed,
        list(paths),
        workers=workers,
        limits=limits,
        setup=_init,
        setup_args=(dict(registry), max_bytes, None),
        preload=_PRELOAD,
    )
    for path, result in zip(paths, results, strict=True):
        yield failed_check(path, result) if isinstance(result, Failure) else result


def land_files(
    tasks: Iterable[FileTask | Answered],
    registry: Mapping[str, list[ReportingUnit]],
    max_bytes: int,
    context: BatchContext,
    workers: int = 0,
    limits: Limits | None = None,
) -> Generator[Any, None, None]:
    """Each task's :class:`LandedFile`, or the :class:`Failure` that stopped its reading, in
    the order of ``tasks`` (drawn lazily); an :class:`Answered` item's result in its place."""
    yield from run_contained(
        _land,
        tasks,
        workers=workers,
        limits=limits,
        setup=_init,
        setup_args=(dict(registry), max_bytes, context),
        preload=_PRELOAD,
    )
