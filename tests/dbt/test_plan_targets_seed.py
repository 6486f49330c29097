"""The plan-target seed cites what each target implements and words it for each period."""

from __future__ import annotations

import csv

import pytest

from core.settings import DBT_PROJECT_DIR

SEED = DBT_PROJECT_DIR / "seeds" / "plan_targets.csv"


def _targets() -> list[dict[str, str]]:
    with SEED.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("target", _targets(), ids=lambda t: t["target_id"])
def test_each_target_cites_the_national_scheme_and_the_provinces_plan(
    target: dict[str, str],
) -> None:
    # DESIGN §7: KH 4660/KH-UBND (24/6/2024) implements QĐ 1690/QĐ-TTg (26/12/2023)
    assert (target["scheme_ref"], target["scheme_date"]) == ("QĐ 1690/QĐ-TTg", "2023-12-26")
    assert (target["plan_ref"], target["plan_date"]) == ("KH 4660/KH-UBND", "2024-06-24")
    # where each is published: a source, or "unknown", never blank
    assert target["scheme_source"].strip() and target["plan_source"].strip()


@pytest.mark.parametrize("target", _targets(), ids=lambda t: t["target_id"])
def test_no_target_names_the_district_level_after_it_was_abolished(
    target: dict[str, str],
) -> None:
    # from 01/07/2025 (two-level local government) the wording in force is the two-level one
    for language in ("vi", "en"):
        wording = target[f"target_{language}_two_level"] or target[f"target_{language}"]
        assert "huyện" not in wording and "district" not in wording.lower(), wording
