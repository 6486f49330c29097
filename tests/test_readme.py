"""The README's first example query works when pasted into a shell."""

from __future__ import annotations

import os
import re
import subprocess
import sys
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
