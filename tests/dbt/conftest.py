"""Fixtures for the dbt marts: the demo warehouse rebuilt with the published DTI figures."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import duckdb
import pytest

from warehouse.build import run_dbt
from warehouse.settings import Settings

sys.path.insert(0, str(Path(__file__).parent))

from dti_facts import load_dti_facts


@pytest.fixture(scope="session")
def marts_warehouse(demo_warehouse: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A copy of the demo build database, with the DTI landing tables filled from the published
    facts when the demo brought no DTI publication, rebuilt by a real ``dbt build``."""
    settings = Settings(
        home=tmp_path_factory.mktemp("marts-home"), pseudonym_key=demo_warehouse.pseudonym_key
    )
    settings.ensure_dirs()
    shutil.copyfile(demo_warehouse.build_db, settings.build_db)
    with duckdb.connect(str(settings.build_db)) as con:
        row = con.execute("select count(*) from raw.dti_scores").fetchone()
        if row is not None and row[0] == 0:
            for table in ("dti_publications", "provinces", "province_crosswalk"):
                con.execute(f"delete from raw.{table}")
            load_dti_facts(con)
    run_dbt(settings, "build")
    return settings
