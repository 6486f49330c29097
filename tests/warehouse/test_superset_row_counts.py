"""A chart that counts rows says what a row is: units, where each row is a unit in a period."""

from __future__ import annotations

import zipfile
from pathlib import Path

import duckdb
import yaml  # type: ignore[import-untyped]

from core.settings import Settings
from tests.warehouse.sample_marts import build_sample_marts
from warehouse.publish import publish
from warehouse.superset_bundle import BUNDLE_NAME, CHARTS, COUNT_METRIC, ROW_NOUNS


def _count_metric(archive: zipfile.ZipFile, dataset: str) -> dict[str, object]:
    schema, table = dataset.split(".")
    (name,) = [n for n in archive.namelist() if n.endswith(f"/datasets/dxwh/{schema}.{table}.yaml")]
    config = yaml.safe_load(archive.read(name))
    (metric,) = [m for m in config["metrics"] if m["metric_name"] == COUNT_METRIC]
    return dict(metric)


def test_a_count_of_units_is_headed_as_units_and_a_row_is_one_unit(tmp_path: Path) -> None:
    build = Settings(home=tmp_path, pseudonym_key="test-key")
    build_sample_marts(build)
    publish(build)

    counted = {c.dataset for c in CHARTS if COUNT_METRIC in c.metrics}
    assert counted and counted <= set(ROW_NOUNS)
    with zipfile.ZipFile(build.published_dir / "superset" / BUNDLE_NAME) as archive:
        for dataset in counted:
            metric = _count_metric(archive, dataset)
            assert metric["verbose_name"] == ROW_NOUNS[dataset][0] == "Số đơn vị"
            assert str(metric["description"]).startswith("Số đơn vị — ")
        # a dataset nobody counts by unit keeps the neutral name
        assert _count_metric(archive, "marts.fct_staffing")["verbose_name"] == "Số dòng"
    with duckdb.connect(str(build.published_db), read_only=True) as con:
        for dataset in counted:
            rows, keys = con.execute(
                f"select count(*), count(distinct (period_id, unit_id)) from {dataset}"
            ).fetchone() or (0, 0)
            assert rows > 0 and rows == keys, dataset
