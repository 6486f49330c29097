"""Run dbt on the build database (``dbt build``: models, tests, contracts)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from core.settings import DBT_PROJECT_DIR, Settings


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
        str(settings.home / "logs" / "dbt"),
        *extra,
    ]


def dbt_executable() -> str:
    """The ``dbt`` installed beside the running interpreter (the project's environment)."""
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def run_dbt(settings: Settings, command: str = "build", *extra: str) -> DbtResult:
    """Run one dbt command; raise :class:`DbtFailed` if anything failed.

    dbt runs in its own process: dbt-duckdb keeps its DuckDB handle open for the life of the
    process, and the next step must be able to open the file read-only.
    """
    settings.build_db.parent.mkdir(parents=True, exist_ok=True)
    results_file = settings.dbt_target_dir / "run_results.json"
    results_file.unlink(missing_ok=True)
    proc = subprocess.run(
        [dbt_executable(), *dbt_args(settings, command, *extra)],
        env={**os.environ, **dbt_env(settings)},
        capture_output=True,
        text=True,
        check=False,
    )
    result = DbtResult(command=command, success=proc.returncode == 0, output=proc.stdout)
    if results_file.exists():
        for node in json.loads(results_file.read_text(encoding="utf-8")).get("results", []):
            resource_type = node["unique_id"].split(".")[0]
            status = str(node["status"]).lower()
            result.counts[f"{resource_type}:{status}"] += 1
            if status in {"error", "fail", "runtime error"}:
                result.failures.append(f"{node['unique_id']}: {node.get('message')}")
    if not result.success:
        tail = "\n".join(proc.stdout.splitlines()[-15:] + proc.stderr.splitlines()[-5:])
        detail = "; ".join(result.failures) or tail
        raise DbtFailed(f"dbt {command} failed: {detail}")
    return result


# What a static web server (or a browser opening static_index.html) needs for the dbt docs site.
DOCS_FILES = ("index.html", "static_index.html", "catalog.json", "manifest.json")


def generate_docs(settings: Settings) -> Path:
    """``dbt docs generate`` on the built database; copy the site to ``<home>/docs/dbt``.

    Run after a successful ``dbt build``: the catalog is read from the database, so the models
    need not be compiled again (``--no-compile``). ``--static`` adds a single-file page that
    opens without a web server. Returns the docs folder.
    """
    run_dbt(settings, "docs generate", "--no-compile", "--static")
    docs = settings.docs_dir / "dbt"
    docs.mkdir(parents=True, exist_ok=True)
    for name in DOCS_FILES:
        source = settings.dbt_target_dir / name
        if not source.exists():
            raise DbtFailed(f"dbt docs generate wrote no {name} in {settings.dbt_target_dir}")
        # copy under a temporary name, then rename: a reader never sees a half-written file
        tmp = docs / f".{name}.tmp"
        shutil.copyfile(source, tmp)
        os.replace(tmp, docs / name)
    return docs
