"""What is remembered or computed in fewer steps gives what it gave before, and stays bounded."""

from __future__ import annotations

from pathlib import Path

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


def test_a_persons_pseudonym_is_the_keyed_hash_every_night_has_used() -> None:
    """HMAC-SHA256 of ``unit|name key|birth year``, 32 hex characters: a person keeps the key
    of earlier periods whatever computes it."""
    import hashlib
    import hmac

    from ingest.submissions.rows import person_key

    expected = hmac.new(b"k3y", b"H01|nguyenvanan|1980", hashlib.sha256).hexdigest()[:32]
    assert person_key("k3y", "H01", "Nguyễn Văn  An", 1980) == expected
    assert person_key("k3y", "H01", "Nguyễn Văn An", None) != expected


def test_an_archived_copys_index_path_is_its_path_in_the_archive(tmp_path: Path) -> None:
    import pytest

    from ingest.landing import archived_relative

    archive_dir = tmp_path / "archive"
    for copy in (
        archive_dir / "ab" / "ab12.xlsx",
        archive_dir / "ab" / ".." / "cd" / "x.csv",
        archive_dir / "sidecars" / "ab" / "f.meta.json",
    ):
        assert archived_relative(copy, archive_dir) == str(copy.relative_to(archive_dir))
    for outside in (tmp_path / "archive-old" / "ab" / "x.xlsx", tmp_path / "x.xlsx"):
        with pytest.raises(ValueError):
            archived_relative(outside, archive_dir)


def test_long_texts_are_read_alike_and_never_remembered() -> None:
    """Files of long distinct cells cannot fill a long-lived process's memory (the portal
    reads uploads in its own process): only texts up to MEMO_CHARS are remembered."""
    from ingest import encoding, text
    from ingest.submissions import reader

    memos = (
        text._clean_memo,
        text._fold_memo,
        text._match_key_memo,
        encoding._detect_memo,
        reader._nfc_memo,
        reader._typed_memo,
    )
    before = [m.cache_info().currsize for m in memos]
    for n in range(50):
        cell = f"Ghi chú {n} \x07" + "Nguyễn Văn Án, Phòng Văn hoá " * 20
        assert len(cell) > text.MEMO_CHARS
        assert text.clean_text(cell) == text._clean_text(cell)
        assert text.match_key(cell) == text._match_key_text(cell)
        assert text.fold(cell) == text._fold_text(cell)
        assert encoding.detect(cell) is None
        assert reader._typed_text(cell) == (cell.replace("\x07", ""), True)
    assert [m.cache_info().currsize for m in memos] == before
    # short texts still are
    text.clean_text("Phòng Văn hoá và Thông tin 7301")
    hits = text._clean_memo.cache_info().hits
    text.clean_text("Phòng Văn hoá và Thông tin 7301")
    assert text._clean_memo.cache_info().hits == hits + 1
