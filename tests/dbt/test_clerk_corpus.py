"""A clerk-variant corpus, written by the demo's mess generator: each class words a real
report its own way (full-name majors, "Kỹ sư", yes/no in words, typos in values, abbreviated
DonVi labels, a reworded training column, renamed sheets, a CSV with lone \\r line ends, a
real person with an impossible birth year, rows that name no one). The marts' counts from it
equal the generator's truth: what a person reading each file counts."""

from __future__ import annotations

import os
from collections import Counter

import duckdb
import pytest

from core.periods import period_end_date
from core.settings import Settings
from ingest.demo.generate import write_planned
from ingest.demo.mess import CLERK_CLASSES, PlannedFile, clerk_variant_files
from ingest.demo.plan import PERIOD_PLANS
from ingest.demo.population import period_submissions
from ingest.registry import build_registry
from pipeline.dbt_runner import run_dbt
from pipeline.nightly import step_ingest

PERIOD = "2024-H1"
SELECT = ("--select", "+fct_staffing", "--exclude-resource-type", "test", "unit_test")
UNIVERSITY = {"Đại học", "Thạc sĩ", "Tiến sĩ"}
IT_MAJORS = {"CNTT", "An toàn thông tin"}
# what every file of a class must be warned with: each reading named to the clerk
WARNED = {
    "full_name_majors": "VALUE_UNDERSTOOD",
    "engineer_degrees": "VALUE_UNDERSTOOD",
    "yes_no_in_words": "VALUE_UNDERSTOOD",
    "typo_in_values": "VALUE_UNDERSTOOD",
    "abbreviated_labels": "HEADER_UNDERSTOOD",
    "reworded_training_column": "HEADER_UNDERSTOOD",
    "renamed_sheets": "SHEET_FOUND_BY_CONTENT",
    "impossible_birth_years": "BIRTH_YEAR_OUT_OF_RANGE",
    "placeholder_names": "ROW_NAME_INVALID",
}


def _truth(f: PlannedFile) -> dict[str, int]:
    staff = f.kept
    return {
        "n_staff": len(staff),
        "n_dedicated": sum(p["assignment"] == "Chuyên trách" for p in staff),
        "n_concurrent": sum(p["assignment"] == "Kiêm nhiệm" for p in staff),
        "n_it_degree_university_plus": sum(
            p["education_level"] in UNIVERSITY and p["field_of_study"] in IT_MAJORS for p in staff
        ),
        "n_trained": sum(int(str(p["trainings_in_period"] or 0)) >= 1 for p in staff),
        "n_dx_network_members": sum(p["dx_network_member"] == "Có" for p in staff),
        "n_unknown_birth_year": f.unknown.get("birth_year", 0),
        "n_unknown_education_level": 0,
        "n_unknown_field_of_study": sum(not p.get("field_of_study") for p in staff),
        "n_unknown_assignment": 0,
    }


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, list[PlannedFile]]:
    from core.settings import load_settings

    home = tmp_path_factory.mktemp("clerk-corpus")
    settings = load_settings({**os.environ, "DXWH_HOME": str(home)})
    settings.ensure_dirs()
    on = period_end_date(PERIOD)
    units = [u for u in build_registry() if u.is_active(on)]
    subs = period_submissions(7, units, PERIOD, PERIOD_PLANS[PERIOD])
    files = clerk_variant_files(subs)
    for f in files:
        write_planned(f, settings.inbox_submissions)
    step_ingest(settings, "clerk-night")
    run_dbt(settings, "build", *SELECT)
    return settings, files


def test_every_class_is_in_the_corpus(corpus: tuple[Settings, list[PlannedFile]]) -> None:
    _, files = corpus
    assert sorted(f.variant.name for f in files) == sorted(CLERK_CLASSES)
    assert any(f.path.endswith(".csv") for f in files)


def test_every_file_lands_as_the_generator_says(
    corpus: tuple[Settings, list[PlannedFile]],
) -> None:
    settings, files = corpus
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        status = dict(con.execute("select source_file, status from audit.file_loads").fetchall())
        codes: dict[str, Counter[str]] = {}
        for source, code in con.execute("select source_file, code from audit.problems").fetchall():
            codes.setdefault(source, Counter())[code] += 1
    for f in files:
        assert status[f.path] == f.expected_status, f.path
        for code in f.expected_error_codes:
            assert codes[f.path][code] >= 1, (f.path, code)
        if f.variant.name in WARNED:
            assert codes.get(f.path, Counter())[WARNED[f.variant.name]] >= 1, f.path
    placeholder = next(f for f in files if f.variant.name == "placeholder_names")
    # every name that names no one is refused, one by one
    assert codes[placeholder.path]["ROW_NAME_INVALID"] == 8


def test_the_marts_count_what_a_person_reading_the_files_counts(
    corpus: tuple[Settings, list[PlannedFile]],
) -> None:
    settings, files = corpus
    columns = list(_truth(files[0]))
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        rows = con.execute(
            f"select unit_id, {', '.join(columns)} from marts.fct_staffing where period_id = ?",
            [PERIOD],
        ).fetchall()
        teams = dict(
            con.execute(
                "select unit_id, n_community_teams from marts.fct_staffing where period_id = ?",
                [PERIOD],
            ).fetchall()
        )
    found = {unit: dict(zip(columns, values, strict=True)) for unit, *values in rows}
    expected = {f.submission.unit.unit_id: _truth(f) for f in files}
    assert found == expected
    abbreviated = next(f for f in files if f.variant.name == "abbreviated_labels")
    assert abbreviated.submission.unit.unit_level == "commune"
    assert (
        teams[abbreviated.submission.unit.unit_id]
        == abbreviated.submission.header["community_teams"]
    )
