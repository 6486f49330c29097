"""The README works as written: its first query runs as pasted, its quoted figures are the
project's own."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import duckdb

README = Path(__file__).resolve().parents[1] / "README.md"


def _first_query_block() -> str:
    text = README.read_text(encoding="utf-8")
    after = text[text.index("Query the published warehouse") :]
    match = re.search(r"```bash\n(.*?)```", after, re.S)
    assert match, "no bash block after 'Query the published warehouse'"
    return match.group(1)


def test_the_first_example_query_runs_as_pasted(tmp_path: Path) -> None:
    published = tmp_path / "var" / "published" / "dx.duckdb"
    published.parent.mkdir(parents=True)
    with duckdb.connect(str(published)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_staffing as select * from (values "
            "('49', 'province', '2023', 30, 20, 10), ('49', 'district', '2023', 50, 28, 22), "
            "('49', 'district', '2024-H1', 9, 9, 0), ('48', 'province', '2023', 7, 7, 0)) "
            "as t(province_id, unit_level, period_id, n_staff, n_dedicated, n_concurrent)"
        )
    # the block runs the project's own command; the test runs it from this environment
    block = _first_query_block().replace("uv run dxwh", str(Path(sys.executable).with_name("dxwh")))
    assert "dxwh" in block

    proc = subprocess.run(
        ["bash", "-c", block],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "DXWH_HOME": str(tmp_path / "var")},
    )

    assert proc.returncode == 0, proc.stderr
    assert "unit_level" in proc.stdout and "dedicated" in proc.stdout
    assert "province" in proc.stdout and "district" in proc.stdout
    # Quảng Nam's own figures: legacy Đà Nẵng's departments (7 staff) are not added in
    assert "30" in proc.stdout and "37" not in proc.stdout


DOCS = sorted((README.parent / "docs").glob("*.md"))
SUMMARY = re.compile(r"dbt: (\d+) models built, (\d+) tests passed")
MODELS = re.compile(r"\b(\d+) (?:dbt )?models\b")


def _dbt_counts(manifest: Path) -> tuple[int, int]:
    """What a full ``dbt build`` of the project builds and tests: models, and data tests plus
    unit tests (the run summary's two numbers), counted from dbt's own manifest."""
    data = json.loads(manifest.read_text(encoding="utf-8"))
    kinds = Counter(node["resource_type"] for node in data["nodes"].values())
    return kinds["model"], kinds["test"] + len(data.get("unit_tests") or {})


def test_the_sample_summary_counts_the_dbt_project(dbt_manifest: Path) -> None:
    models, tests = _dbt_counts(dbt_manifest)
    quoted = [
        (path.name, match)
        for path in [README, *DOCS]
        for match in SUMMARY.finditer(path.read_text(encoding="utf-8"))
    ]

    assert quoted, "README.md quotes a run summary's dbt line"
    for name, match in quoted:
        # a model or test added to dbt_project/ changes what a run prints: update the sample
        assert (int(match[1]), int(match[2])) == (models, tests), (
            f"{name}: write 'dbt: {models} models built, {tests} tests passed'"
        )


def test_every_model_count_quoted_in_the_docs_is_the_projects(dbt_manifest: Path) -> None:
    models, _ = _dbt_counts(dbt_manifest)
    for path in [README, *DOCS]:
        for match in MODELS.finditer(path.read_text(encoding="utf-8")):
            assert int(match[1]) == models, f"{path.name}: '{match[0]}', the project has {models}"
