"""Run dbt on the build database (``dbt build``: models, tests, contracts)."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from core.locks import exclusive
from core.private_files import create_private, private_dir
from core.settings import DBT_MANIFEST, DBT_PROJECT_DIR, Settings

# Folders of the dbt project that are dbt's output, not its source.
_NOT_SOURCE = frozenset({"target", "logs", "dbt_packages"})


class DbtFailed(RuntimeError):
    """dbt reported an error or a failing test."""


@dataclass
class DbtResult:
    command: str
    success: bool
    counts: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    output: str = ""

    @property
    def models_ok(self) -> int:
        return self.counts["model:success"]

    @property
    def tests_passed(self) -> int:
        return self.counts["test:pass"] + self.counts["unit_test:pass"]


def read_run_results(path: Path) -> tuple[Counter[str], list[str]]:
    """Counts by ``<resource type>:<status>`` (``model:success``, ``test:pass``) and the
    failed nodes with dbt's message, from a ``run_results.json``."""
    counts: Counter[str] = Counter()
    failures: list[str] = []
    for node in json.loads(path.read_text(encoding="utf-8")).get("results", []):
        resource_type = node["unique_id"].split(".")[0]
        status = str(node["status"]).lower()
        counts[f"{resource_type}:{status}"] += 1
        if status in {"error", "fail", "runtime error"}:
            failures.append(f"{node['unique_id']}: {node.get('message')}")
    return counts, failures


def build_counts(counts: Counter[str]) -> dict[str, int]:
    """What the run summary says of a ``dbt build``."""
    return {
        "models_ok": counts["model:success"],
        "tests_passed": counts["test:pass"] + counts["unit_test:pass"],
        "tests_failed": counts["test:fail"] + counts["unit_test:fail"],
        "errors": counts["model:error"] + counts["test:error"] + counts["seed:error"],
    }


def dbt_env(settings: Settings) -> dict[str, str]:
    """Environment dbt needs: the build database path and the pseudonym key."""
    return {
        "DXWH_BUILD_DB": str(settings.build_db),
        "DXWH_PSEUDONYM_KEY": settings.pseudonym_key,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


def dbt_args(settings: Settings, command: str, *extra: str) -> list[str]:
    return [
        *command.split(),
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(settings.dbt_target_dir),
        "--log-path",
        str(settings.dbt_log_dir),
        *extra,
    ]


def dbt_executable() -> str:
    """The ``dbt`` installed beside the running interpreter (the project's environment)."""
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def macros_digest() -> str:
    """A digest of the dbt project's macros, the dbt var ``macros_digest``.

    ``int_period_inputs`` folds it into every period's inputs: dbt's own checksums cover models
    and seeds but not macros, so without it a deployment that changes only a macro would leave
    the periods already built by the incremental-by-period models as the old macro made them.
    """
    from pipeline.quiet_night import code_fingerprint

    return code_fingerprint([DBT_PROJECT_DIR / "macros"])[:16]


def as_of_vars(as_of: dt.date | None) -> list[str]:
    """dbt's ``--vars``: the macros' digest, and the as-of date (``int_periods``; none: dbt
    takes today in Vietnam)."""
    values = {"macros_digest": macros_digest()}
    if as_of is not None:
        values["as_of_date"] = as_of.isoformat()
    return ["--vars", json.dumps(values)]


def _private_dbt_log(settings: Settings) -> None:
    """dbt appends to ``dbt.log`` (its SQL, and error messages that can quote a person's
    values): a private folder, and the file 0600 before dbt opens it (a home made by an older
    release has it 0644 in a 0755 folder)."""
    os.close(create_private(private_dir(settings.dbt_log_dir) / "dbt.log", append=True))


def run_dbt(
    settings: Settings, command: str = "build", *extra: str, as_of: dt.date | None = None
) -> DbtResult:
    """Run one dbt command; raise :class:`DbtFailed` if anything failed.

    ``as_of`` is the day the warehouse is built for (which periods exist, which are still in
    progress); the nightly passes its run's date, never the wall clock.

    dbt runs in its own process: dbt-duckdb keeps its DuckDB handle open for the life of the
    process, and the next step must be able to open the file read-only.
    """
    settings.build_db.parent.mkdir(parents=True, exist_ok=True)
    _private_dbt_log(settings)
    results_file = settings.dbt_target_dir / "run_results.json"
    results_file.unlink(missing_ok=True)
    proc = subprocess.run(
        [dbt_executable(), *dbt_args(settings, command, *extra, *as_of_vars(as_of))],
        env={**os.environ, **dbt_env(settings)},
        capture_output=True,
        text=True,
        check=False,
    )
    result = DbtResult(command=command, success=proc.returncode == 0, output=proc.stdout)
    if results_file.exists():
        result.counts, result.failures = read_run_results(results_file)
    if not result.success:
        tail = "\n".join(proc.stdout.splitlines()[-15:] + proc.stderr.splitlines()[-5:])
        detail = "; ".join(result.failures) or tail
        raise DbtFailed(f"dbt {command} failed: {detail}")
    return result


# The docs site as written under <home>/docs/dbt, and what dbt wrote each file from. dbt's own
# index.html fetches catalog.json and manifest.json, which a browser refuses from disk, so it
# stays blank when opened as a file; the single-file static page works from disk and from a web
# server alike, so it is the site's index. The JSON files stay for tools that read them.
DOCS_FILES = (
    ("index.html", "static_index.html"),
    ("static_index.html", "static_index.html"),
    ("catalog.json", "catalog.json"),
    ("manifest.json", "manifest.json"),
)


def generate_docs(settings: Settings) -> Path:
    """``dbt docs generate`` on the built database; copy the site to ``<home>/docs/dbt``.

    Run after a successful ``dbt build``: the catalog is read from the database, so the models
    need not be compiled again (``--no-compile``). ``--static`` writes the single-file page
    that opens without a web server; it is the site's ``index.html``. Returns the docs folder.
    """
    run_dbt(settings, "docs generate", "--no-compile", "--static")
    docs = settings.docs_dir / "dbt"
    docs.mkdir(parents=True, exist_ok=True)
    for name, written in DOCS_FILES:
        source = settings.dbt_target_dir / written
        if not source.exists():
            raise DbtFailed(f"dbt docs generate wrote no {written} in {settings.dbt_target_dir}")
        # copy under a temporary name, then rename: a reader never sees a half-written file
        tmp = docs / f".{name}.tmp"
        shutil.copyfile(source, tmp)
        os.replace(tmp, docs / name)
    return docs


def _project_sources(project_dir: Path) -> list[Path]:
    return [
        path
        for path in project_dir.rglob("*")
        if path.is_file() and not _NOT_SOURCE & set(path.relative_to(project_dir).parts[:1])
    ]


def manifest_is_stale(manifest: Path = DBT_MANIFEST, project_dir: Path = DBT_PROJECT_DIR) -> bool:
    """True when ``manifest`` is missing or older than any file of the dbt project.

    Only file times are read (no dbt, no database), so the DAG file may call it while parsing.
    """
    if not manifest.is_file():
        return True
    written = manifest.stat().st_mtime
    return any(path.stat().st_mtime > written for path in _project_sources(project_dir))


def parse_manifest(manifest: Path = DBT_MANIFEST, *, force: bool = False) -> bool:
    """Write ``manifest`` with ``dbt parse`` unless it is already newer than the project.

    Returns True when dbt ran. ``dbt parse`` opens no database (the profile's path is a
    placeholder), so this runs on a fresh clone or in an image build, before any data exists.
    """
    if not force and not manifest_is_stale(manifest):
        return False  # before any lock: an image's read-only manifest folder is never written
    target = manifest.parent
    target.mkdir(parents=True, exist_ok=True)
    # processes started together (two `dxwh` commands, parallel test workers) would otherwise
    # write dbt's files in the same target folder at once
    with exclusive(target / ".parse.lock"):
        if not force and not manifest_is_stale(manifest):
            return False  # another process wrote it while this one waited
        _run_parse(target, manifest)
    return True


def _run_parse(target: Path, manifest: Path) -> None:
    proc = subprocess.run(
        [
            dbt_executable(),
            "parse",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(target),
            "--log-path",
            str(target / "logs"),
        ],
        env={
            **os.environ,
            "DXWH_BUILD_DB": ":memory:",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0 or not (target / "manifest.json").is_file():
        tail = "\n".join(proc.stdout.splitlines()[-15:] + proc.stderr.splitlines()[-5:])
        raise DbtFailed(f"dbt parse failed: {tail}")
    if target / "manifest.json" != manifest:
        os.replace(target / "manifest.json", manifest)
