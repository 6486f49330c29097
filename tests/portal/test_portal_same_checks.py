"""An upload gets the verdict and problems ``dxwh check`` gives the same file, in every format."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ingest.registry import build_registry
from ingest.submissions.checks import check_submission, index_registry
from ingest.submissions.feedback import verdict
from ingest.submissions.reader import read_submission
from tests.ingest.submission_files import (
    PEOPLE,
    UNIT,
    flat_grid,
    standard_sheets,
    write_csv,
    write_ods,
    write_xls,
    write_xlsx,
)
from tests.portal.portal_helpers import Portal

MESSY_PEOPLE = [{**PEOPLE[0], "birth_year": "19x8"}, *PEOPLE[1:]]

WRITERS: dict[str, Callable[[Path, list[dict[str, object]]], Path]] = {
    "xlsx": lambda path, people: write_xlsx(path, standard_sheets(UNIT, people)),
    "xls": lambda path, people: write_xls(path, standard_sheets(UNIT, people)),
    "ods": lambda path, people: write_ods(path, standard_sheets(UNIT, people)),
    "csv-utf8-bom": lambda path, people: write_csv(path, flat_grid(UNIT, people), "utf-8-sig"),
    "csv-utf16": lambda path, people: write_csv(path, flat_grid(UNIT, people), "utf-16"),
    "csv-cp1258": lambda path, people: write_csv(path, flat_grid(UNIT, people), "cp1258"),
}
SUFFIX = {"xlsx": ".xlsx", "xls": ".xls", "ods": ".ods"}


def _as_check_sees_it(path: Path) -> tuple[str, list[tuple[object, ...]]]:
    checked = check_submission(read_submission(path), index_registry(build_registry()))
    problems = [(p.code, p.sheet, p.row, p.column, p.value) for p in checked.all_problems]
    return verdict(checked), problems


@pytest.mark.parametrize("people", [PEOPLE, MESSY_PEOPLE], ids=["clean", "messy"])
@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_portal_and_dxwh_check_agree(
    make_portal: Callable[..., Portal], tmp_path: Path, kind: str, people: list[dict[str, object]]
) -> None:
    portal = make_portal()
    _, token = portal.store.issue_token("unit", str(UNIT["unit_code"]), "văn thư", "test")
    path = WRITERS[kind](tmp_path / f"bao_cao{SUFFIX.get(kind, '.csv')}", people)
    expected_verdict, expected_problems = _as_check_sees_it(path)

    with path.open("rb") as handle:
        response = portal.client().post(
            "/api/submissions",
            headers={"Authorization": f"Bearer {token}"},
            files={"file": (path.name, handle)},
        )
    body = response.json()
    assert body["verdict"] == expected_verdict
    assert [
        (p["code"], p["sheet"], p["row"], p["column"], p["value"]) for p in body["problems"]
    ] == expected_problems
    assert body["queued"] == (expected_verdict != "rejected")
    if people is MESSY_PEOPLE:
        assert body["verdict"] == "partial" and body["rows_with_errors"] == 1
