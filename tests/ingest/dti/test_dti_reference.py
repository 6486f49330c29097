"""The DTI reference data says only what its sources say: methodology per year, the ministry."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from core.settings import DBT_PROJECT_DIR, REPO_ROOT
from ingest.dti.provinces import REFERENCE_DIR

SEED = DBT_PROJECT_DIR / "seeds" / "dti_methodologies.csv"
FRAMEWORKS = REFERENCE_DIR / "dti_methodology.csv"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _framework_of(year: int) -> dict[str, str] | None:
    covering = [
        f
        for f in _rows(FRAMEWORKS)
        if int(f["year_from"]) <= year and (not f["year_to"] or year <= int(f["year_to"]))
    ]
    assert len(covering) <= 1, f"{year} is covered by more than one framework"
    return covering[0] if covering else None


@pytest.mark.parametrize("row", _rows(SEED), ids=lambda r: r["year"])
def test_the_seed_and_the_reference_name_the_same_decision_each_year(row: dict[str, str]) -> None:
    framework = _framework_of(int(row["year"]))
    if row["decision_ref"]:
        assert framework is not None, f"no reference framework covers {row['year']}"
        assert row["decision_ref"] == f"QĐ {framework['decision']}"
        assert row["decision_date"] and row["source"]
    else:
        # a year whose decision is not known: neither file names one, the seed says why
        assert framework is None, f"{row['year']}: the reference names {framework}"
        assert "unknown" in row["source"]


def test_every_reference_framework_year_is_in_the_seed() -> None:
    seeded = {int(r["year"]) for r in _rows(SEED)}
    for framework in _rows(FRAMEWORKS):
        last = int(framework["year_to"] or max(seeded))
        assert set(range(int(framework["year_from"]), last + 1)) <= seeded, framework


def test_dti_2025_has_no_decision_until_one_is_known() -> None:
    # QĐ 405/QĐ-BKHCN (03/4/2025) is the framework of DTI 2024; for DTI 2025 the ministry
    # announced a revised framework whose decision is not known
    [row_2025] = [r for r in _rows(SEED) if r["year"] == "2025"]
    assert row_2025["decision_ref"] == ""
    assert _framework_of(2025) is None
    assert _framework_of(2024) is not None and _framework_of(2024)["decision"] == "405/QĐ-BKHCN"


# The Ministry of Information and Communications was merged into the Ministry of Science and
# Technology in 2025 (Decree 55/2025/NĐ-CP of 02/3/2025 sets the merged ministry's duties): it
# was not renamed.
_RENAMED = re.compile(
    r"ministry\W+(?:was\s+)?renamed|renamed\W+ministry|(?:bộ|ministry)[^.\n]{0,40}đổi tên",
    re.IGNORECASE,
)
_DOCS = [
    REPO_ROOT / "README.md",
    *sorted((REPO_ROOT / "docs").glob("*.md")),
    *sorted(REFERENCE_DIR.glob("*.md")),
    *sorted(REFERENCE_DIR.glob("*.csv")),
    *sorted((DBT_PROJECT_DIR / "seeds").glob("*.csv")),
    *sorted((DBT_PROJECT_DIR / "models").rglob("*.yml")),
]


@pytest.mark.parametrize("path", _DOCS, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_no_document_says_the_ministry_was_renamed(path: Path) -> None:
    found = _RENAMED.findall(path.read_text(encoding="utf-8"))
    assert not found, f"{path}: {found} (MIC was merged into it, not renamed)"


def test_the_merger_is_cited_where_the_frameworks_are_described() -> None:
    notes = " ".join(f["note"] for f in _rows(FRAMEWORKS))
    assert "Decree 55/2025/NĐ-CP" in notes and "merged" in notes
