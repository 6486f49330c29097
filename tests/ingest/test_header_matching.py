"""Header matching (hypothesis): any spelling a clerk may produce names the same field."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.contract import (
    HEADER_LABELS,
    STAFF_FIELDS,
    STAFF_LABELS,
    UNIT_FIELDS,
    UNIT_LABELS,
    Field,
)
from ingest.text import match_key


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn").translate(
        str.maketrans("đĐ", "dD")
    )


@st.composite
def spelled(draw: st.DrawFn, fields: tuple[Field, ...]) -> tuple[str, str]:
    """A field and one way of writing its header: label or id, marks or not, any case,
    NFC or NFD, spaces and line breaks anywhere between words."""
    f = draw(st.sampled_from(fields))
    text = draw(st.sampled_from([f.label_vi, f.label_en, f.field_id]))
    if draw(st.booleans()):
        text = _strip_marks(text)
    text = "".join(c.upper() if draw(st.booleans()) else c.lower() for c in text)
    gaps = st.sampled_from([" ", "  ", "\n", "\t", " \u00a0"])
    text = "".join(draw(gaps) if c == " " else c for c in text)
    text = draw(gaps) * draw(st.integers(0, 1)) + text + draw(gaps) * draw(st.integers(0, 1))
    form = draw(st.sampled_from(["NFC", "NFD"]))
    return f.field_id, unicodedata.normalize(form, text)


@given(spelled(STAFF_FIELDS))
@settings(max_examples=500, deadline=None)
def test_staff_header_spellings(case: tuple[str, str]) -> None:
    field_id, header = case
    assert STAFF_LABELS.strict(header) == field_id


@given(spelled(UNIT_FIELDS))
@settings(max_examples=300, deadline=None)
def test_unit_label_spellings(case: tuple[str, str]) -> None:
    field_id, label = case
    assert UNIT_LABELS.strict(label) == field_id


_LABEL_CHARS = "".join(sorted({c for f in STAFF_FIELDS + UNIT_FIELDS for c in f.label_vi}))


@given(st.text(alphabet=_LABEL_CHARS, max_size=40))
@settings(max_examples=300, deadline=None)
def test_match_key_ignores_form_case_marks_and_spacing(text: str) -> None:
    key = match_key(text)
    assert re.fullmatch(r"[a-z0-9]*", key)
    assert key == match_key(unicodedata.normalize("NFD", text))
    assert key == match_key(text.upper())
    assert key == match_key(_strip_marks(text))
    assert key == match_key(" ".join(text.split()).replace(" ", "  \n"))


def test_no_spelling_names_two_fields() -> None:
    # staff and unit fields together: the flat CSV form has both in one header row
    owners: dict[str, set[str]] = {}
    for f in STAFF_FIELDS + UNIT_FIELDS:
        for label in (f.label_vi, f.label_en, f.field_id, *f.aliases, f.short_vi or f.label_vi):
            owners.setdefault(match_key(label), set()).add(f.field_id)
    assert all(len(ids) == 1 for ids in owners.values()), owners


@pytest.mark.parametrize("f", STAFF_FIELDS + UNIT_FIELDS, ids=lambda f: f.field_id)
def test_every_wording_of_a_field_reads_as_that_field(f: Field) -> None:
    for label in (*f.aliases, *((f.short_vi,) if f.short_vi else ())):
        match = HEADER_LABELS.match(label)
        assert (match.field_id, match.how) == (f.field_id, "wording"), label


@given(spelled(STAFF_FIELDS + UNIT_FIELDS))
@settings(max_examples=300, deadline=None)
def test_the_templates_own_labels_give_no_warning(case: tuple[str, str]) -> None:
    field_id, header = case
    match = HEADER_LABELS.match(header)
    assert (match.field_id, match.understood) == (field_id, False)


@given(st.text(alphabet=_LABEL_CHARS + "0123456789 /()", max_size=60))
@settings(max_examples=300, deadline=None)
def test_a_label_is_never_read_as_two_fields(text: str) -> None:
    match = HEADER_LABELS.match(text)
    if match.how == "ambiguous":
        assert match.field_id is None and len(match.candidates) >= 2
    elif match.field_id is not None:
        assert match.candidates in ((), (match.field_id,))
