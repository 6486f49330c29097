"""Write a filled-in template-v1 workbook (.xlsx) for one unit and period."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from ingest.demo.layout import Style, workbook_grids
from ingest.demo.writers import write_xlsx


def write_submission_xlsx(
    path: Path,
    unit: Mapping[str, object],
    staff: Sequence[Mapping[str, object]],
    style: Style | None = None,
) -> None:
    """``unit`` and each ``staff`` row are keyed by contract field id; values are written as-is."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_xlsx(path, workbook_grids(unit, staff, style or Style()))
