"""The readings remembered per process are the readings themselves, and stay bounded."""

from __future__ import annotations

from ingest import contract
from ingest.contract import STAFF_LABELS, UNIT_LABELS, LabelMatcher
from ingest.submissions.reader import _Text


def test_a_remembered_reading_is_the_reading_of_the_text() -> None:
    fresh = LabelMatcher(contract.UNIT_FIELDS)
    for label in ("Mã đơn vị", "MA DON VI", "Ma DV", "Kỳ BC", "Tên đơn vị xyz", "", "1234"):
        for similar in (True, False):
            first = UNIT_LABELS.match(label, similar=similar)
            assert UNIT_LABELS.match(label, similar=similar) == first
            assert fresh._match(label, similar) == first
    # a similar reading is not remembered as a strict one, nor the other way round
    assert STAFF_LABELS.match("Ho va tne", similar=False).field_id is None
    assert STAFF_LABELS.match("Ho va tne").field_id == "full_name"
    assert STAFF_LABELS.match("Ho va tne", similar=False).field_id is None


def test_the_memo_of_readings_is_bounded() -> None:
    matcher = LabelMatcher(contract.UNIT_FIELDS)
    for n in range(contract._MATCH_MEMO + 10):
        matcher.match(f"nhãn {n}", similar=False)
    assert 0 < len(matcher._memo) <= contract._MATCH_MEMO


def test_control_characters_are_counted_in_every_cell_that_has_them() -> None:
    grid: list[list[object]] = [["Có\x07", "Có\x07", "Không"], ["Có", 1.0, None]]
    text = _Text([grid])
    _fixed, typed = text.fix_grid(grid, "NhanLuc")
    assert typed == [["Có", "Có", "Không"], ["Có", 1.0, None]]
    assert text.controls == 2 and text.first_control == "NhanLuc A1"
