"""Legacy font repair: TCVN3 and VNI round-trip, and genuine Unicode is never touched."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.encoding import (
    detect,
    file_encoding,
    is_vietnamese_syllable,
    repair,
    unicode_to_tcvn3,
    unicode_to_vni,
)

# Real names of people, units and places of Quảng Nam and elsewhere, as clerks write them.
REAL_TEXT = [
    "Nguyễn Văn Ánh",
    "Trần Thị Bình",
    "Lê Thị Thu Hương",
    "Hồ Ngọc Ẩn",
    "Phan Thanh Tùng",
    "Hoàng Thị Thuỷ",
    "Đặng Quốc Việt",
    "Huỳnh Ngọc Quý",
    "Võ Minh Tâm",
    "Dương Thị Mỹ Duyên",
    "Y Moan Niê",
    "Bh'riu Thị Hiền",
    "UBND Thành phố Tam Kỳ",
    "UBND Thị xã Điện Bàn",
    "Phường An Mỹ",
    "Xã Tam Xuân 1",
    "Huyện Nông Sơn",
    "Bắc Trà My",
    "Nam Trà My",
    "Hội An",
    "Đà Nẵng",
    "Thừa Thiên - Huế",
    "Sở Thông tin và Truyền thông",
    "Văn phòng Đoàn ĐBQH và HĐND tỉnh",
    "Phó Chánh Văn phòng",
    "Quản trị mạng",
    "An toàn thông tin",
    "Điện tử - Viễn thông",
    "Chuyên trách",
    "Kiêm nhiệm",
    "Có",
    "Không",
    "Cà Mau",
    "Tú",
    "Hà",
    "Ghi chú",
    "Café Tú · Hà",
    "José Müller",
    "123/QĐ-UBND",
    "Tổng cộng",
]


@pytest.mark.parametrize("text", REAL_TEXT)
def test_real_unicode_text_is_never_altered(text: str) -> None:
    assert repair(text) == (text, None)
    assert repair(unicodedata.normalize("NFD", text))[1] is None


# Words as Vietnamese builds them: an onset, a vowel group, a coda and a tone.
_ONSETS = ["", "b", "c", "ch", "d", "đ", "g", "gi", "h", "kh", "l", "m", "n", "ng", "nh", "ph"]
_ONSETS += ["qu", "r", "s", "t", "th", "tr", "v", "x"]
_RHYMES = ["a", "an", "anh", "ăn", "âm", "ên", "iên", "inh", "ong", "ôi", "ơn", "ươc", "ương"]
_RHYMES += ["uyên", "ưa", "ay", "ây", "oan", "ai", "ao", "êu", "iêu", "ươi", "ưng", "ât", "ach"]
_TONES = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]


def _toned(onset: str, rhyme: str, tone: str) -> str:
    """Put the tone where Vietnamese spelling puts it (on the marked vowel, else the main one)."""
    vowels = [i for i, ch in enumerate(rhyme) if ch in "aăâeêioôơuưy"]
    marked = [i for i in vowels if rhyme[i] in "ăâêôơư"]
    if marked:
        at = marked[-1]
    elif len(vowels) == 2 and rhyme[vowels[-1] + 1 :] == "":
        at = vowels[0]
    else:
        at = vowels[-1] if len(vowels) > 1 else vowels[0]
    word = rhyme[: at + 1] + tone + rhyme[at + 1 :]
    return unicodedata.normalize("NFC", onset + word)


syllables = st.builds(
    _toned, st.sampled_from(_ONSETS), st.sampled_from(_RHYMES), st.sampled_from(_TONES)
).filter(is_vietnamese_syllable)
phrases = st.lists(syllables, min_size=1, max_size=6).map(" ".join)
# A family name starts with a consonant (Nguyễn, Trần, Đặng …), given names with anything.
family_names = syllables.filter(lambda w: w[0] in "bcdđghklmnpqrstvx").map(str.capitalize)
names = st.builds(
    lambda family, given: " ".join([family, *given]),
    family_names,
    st.lists(syllables.map(str.capitalize), min_size=1, max_size=3),
)
# Genuine text: Vietnamese words in any case, ASCII words, numbers and punctuation.
genuine = st.lists(
    st.one_of(
        syllables,
        syllables.map(str.capitalize),
        syllables.map(str.upper),
        st.sampled_from(["UBND", "CNTT", "QĐ", "123/QĐ-UBND", "2023", "-", ",", "(", ")", "·"]),
    ),
    min_size=1,
    max_size=8,
).map(" ".join)


@given(genuine)
@settings(max_examples=400, deadline=None)
def test_genuine_unicode_text_is_left_alone(text: str) -> None:
    assert repair(text) == (text, None)
    assert repair(unicodedata.normalize("NFD", text)) == (unicodedata.normalize("NFD", text), None)
    assert file_encoding([text]) is None


@given(phrases)
@settings(max_examples=300, deadline=None)
def test_vni_round_trips(text: str) -> None:
    legacy = unicode_to_vni(text)
    assert repair(legacy, hint="vni")[0] == text
    if legacy != text and detect(legacy) is not None:
        assert repair(legacy)[0] == text


@given(phrases)
@settings(max_examples=300, deadline=None)
def test_tcvn3_round_trips(text: str) -> None:
    legacy = unicode_to_tcvn3(text)
    assert repair(legacy, hint="tcvn3")[0] == text
    if legacy != text and detect(legacy) is not None:
        assert repair(legacy)[0] == text


@given(names)
@settings(max_examples=200, deadline=None)
def test_tcvn3_names_get_their_capitals_back(name: str) -> None:
    # VN3 has no toned capitals; in a name every word starts with one
    assert repair(unicode_to_tcvn3(name), hint="tcvn3")[0] == name


@pytest.mark.parametrize(
    ("legacy", "expected", "encoding"),
    [
        ("NguyÔn V¨n ¸nh", "Nguyễn Văn Ánh", "tcvn3"),
        ("§µ N½ng", "Đà Nẵng", "tcvn3"),
        ("Tr­êng", "Trường", "tcvn3"),
        ("Sè líp båi d­ìng, tËp huÊn vÒ C§S trong kú", None, "tcvn3"),
        ("Tröôøng", "Trường", "vni"),
        ("Xin chaøo caùc baïn", "Xin chào các bạn", "vni"),
        ("Nguyeãn Vaên AÙnh", "Nguyễn Văn Ánh", "vni"),
        ("Thaønh vieân Maïng löôùi CÑS", "Thành viên Mạng lưới CĐS", "vni"),
    ],
)
def test_known_legacy_strings(legacy: str, expected: str | None, encoding: str) -> None:
    repaired, found = repair(legacy)
    assert found == encoding
    assert repaired == (expected or "Số lớp bồi dưỡng, tập huấn về CĐS trong kỳ")


def test_ambiguous_cell_needs_the_file_context() -> None:
    # "Cã" is "Có" typed in .VnTime, and also a possible Unicode spelling on its own
    assert repair("Cã") == ("Cã", None)
    assert repair("Cã", hint="tcvn3") == ("Có", "tcvn3")
    assert file_encoding(["Cã", "TrÇn ThÞ B×nh", "Kh«ng"]) == "tcvn3"


@pytest.mark.parametrize(
    ("word", "valid"),
    [
        ("nguyễn", True),
        ("hoà", True),
        ("hòa", True),
        ("khuỷu", True),
        ("quyết", True),
        ("giữa", True),
        ("xoong", True),
        ("trỏch", False),  # a stop coda takes only sắc or nặng
        ("queỏ", False),  # the tone of "eo" sits on the e
        ("müller", False),
        ("cÊp", False),
    ],
)
def test_syllable_shapes(word: str, valid: bool) -> None:
    assert is_vietnamese_syllable(word) is valid
