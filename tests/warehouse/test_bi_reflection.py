"""The published file as a SQLAlchemy-based BI tool reflects it, through the documented URL.

Superset 6.1.0 runs SQLAlchemy 1.4 with duckdb-engine 0.17.0 and a DuckDB 1.x; the project's
own environment (SQLAlchemy 2) cannot reflect through duckdb-engine 0.17.0 (docs/warehouse.md),
so the reflection runs in its own environment with Superset's pins (``bi_python``).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa

from core.settings import REPO_ROOT, Settings
from tests.warehouse.sample_marts import build_sample_marts
from warehouse.analyst_views import load_views
from warehouse.publish import publish

# Run by the pinned interpreter: reflect every relation as a BI tool does, and try to read a file.
REFLECT = """
import json, sys
import duckdb, sqlalchemy as sa
engine = sa.create_engine(sys.argv[1])
inspector = sa.inspect(engine)
found = {}
for qualified in inspector.get_schema_names():  # `dx.marts`: the file's catalog, then schema
    catalog, _, schema = qualified.rpartition(".")
    if catalog != "dx" or schema == "main":
        continue
    names = inspector.get_table_names(schema=schema) + inspector.get_view_names(schema=schema)
    for name in names:
        found[f"{schema}.{name}"] = {
            c["name"]: {"type": str(c["type"]), "comment": c.get("comment")}
            for c in inspector.get_columns(name, schema=schema)
        }
with engine.connect() as conn:
    staff = conn.execute(sa.text("select count(*) from marts.fct_staffing")).scalar()
    try:
        conn.execute(sa.text("select * from read_csv('/etc/hostname')")).fetchall()
        refused = None
    except Exception as exc:
        refused = str(exc)
print(json.dumps({"versions": [sa.__version__, duckdb.__version__], "relations": found,
                  "staff_rows": staff, "read_csv": refused}))
"""


def documented_url(published_db: Path) -> str:
    """The Superset URI docs/warehouse.md gives, pointed at ``published_db``."""
    text = (REPO_ROOT / "docs" / "warehouse.md").read_text(encoding="utf-8")
    match = re.search(r"duckdb:////absolute/path/to/published/dx\.duckdb\?\S+", text)
    assert match, "docs/warehouse.md gives no duckdb:// URI"
    return match[0].replace("/absolute/path/to/published/dx.duckdb", str(published_db))


@pytest.fixture
def published(data_home: Settings, dbt_manifest: Path) -> Settings:
    build_sample_marts(data_home)
    data_home.dbt_target_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(dbt_manifest, data_home.dbt_target_dir / "manifest.json")
    publish(data_home)
    return data_home


def test_superset_pins_reflect_every_relation_with_comments(
    published: Settings, bi_python: Path
) -> None:
    done = subprocess.run(
        [str(bi_python), "-c", REFLECT, documented_url(published.published_db)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    relations = result["relations"]

    assert result["versions"][0] == "1.4.54" and result["versions"][1].startswith("1.")
    assert {v.qualified_name for v in load_views()} <= relations.keys()
    assert {"marts.fct_staffing", "reference.plan_targets", "quality.dq_runs"} <= relations.keys()
    for name, columns in relations.items():
        assert columns, name
        missing = [c for c, found in columns.items() if not found["comment"]]
        assert not missing, f"{name}: no comment on {missing}"
    assert result["staff_rows"] > 0
    # the documented URL keeps SQL off the host's files
    assert result["read_csv"] and "disabled by configuration" in result["read_csv"]


def test_the_documented_url_refuses_host_files_in_the_projects_environment(
    published: Settings, tmp_path: Path
) -> None:
    engine = sa.create_engine(documented_url(published.published_db))
    with engine.connect() as conn:
        assert conn.execute(sa.text("select count(*) from marts.dim_unit")).scalar_one() > 0
        with pytest.raises(sa.exc.DBAPIError, match="disabled by configuration"):
            conn.execute(sa.text("select * from read_csv('/etc/hostname')"))
    with engine.connect() as conn, pytest.raises(sa.exc.DBAPIError, match="Permission Error"):
        conn.execute(sa.text(f"attach '{tmp_path / 'other.duckdb'}' as other"))
    engine.dispose()
