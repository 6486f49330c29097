"""How clerks word the contract's values, and the one matcher that reads typed text as one
of a fixed set of choices: a value as an allowed value, a label or header as a field.

:class:`Matcher` goes from strict to loose: the template's own spelling first (any case,
diacritics or not, NFC or NFD), then the wordings clerks write (abbreviations, full names,
synonyms), then a similarity score; a text close to two choices is never guessed. What differs
between values and labels is only how similar two texts are (:class:`ValueMatcher` here,
:class:`ingest.contract.LabelMatcher` for labels). Every reading of a value other than the
template's own spelling is warned (``VALUE_UNDERSTOOD``), naming what was read and how.

The wordings are data: each enumerated field maps each allowed value to what clerks write for
it, built from the template's own terms and from the forms clerks send.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, NamedTuple

from rapidfuzz import fuzz

from core.vocabulary import (
    ASSIGNMENTS,
    EDUCATION_LEVELS,
    FIELDS_OF_STUDY,
    GENDERS,
    UNIT_TYPES,
    YES_NO,
)
from ingest.text import clean_text, fold, has_letters, match_key

# What clerks write for each allowed value, beside the value itself.
WORDINGS: dict[str, dict[str, tuple[str, ...]]] = {
    "education_level": {
        # an engineer's or a bachelor's degree is a university degree
        "Đại học": (
            "ĐH",
            "Kỹ sư",
            "Cử nhân",
            "Đại học chính quy",
            "Đại học tại chức",
            "Đại học từ xa",
            "Đại học văn bằng 2",
            "Văn bằng 2",
            "Kỹ sư CNTT",
            "Cử nhân CNTT",
        ),
        "Thạc sĩ": ("ThS", "Thạc sỹ", "Cao học", "Thạc sĩ CNTT"),
        "Tiến sĩ": ("TS", "Tiến sỹ"),
        "Cao đẳng": ("CĐ", "Cao đẳng nghề", "Cao đẳng CNTT"),
        "Trung cấp": ("TC", "Trung cấp nghề", "Trung học chuyên nghiệp", "THCN"),
    },
    "field_of_study": {
        # the majors of the group "Máy tính và công nghệ thông tin" of the university list,
        # information security aside (it has its own value)
        "CNTT": (
            "Công nghệ thông tin",
            "Tin học",
            "Tin học ứng dụng",
            "Khoa học máy tính",
            "Kỹ thuật phần mềm",
            "Hệ thống thông tin",
            "Kỹ thuật máy tính",
            "Mạng máy tính",
            "Mạng máy tính và truyền thông dữ liệu",
            "IT",
        ),
        "An toàn thông tin": (
            "ATTT",
            "An ninh mạng",
            "An toàn, an ninh thông tin",
            "An ninh thông tin",
            "Bảo mật thông tin",
            "An toàn thông tin mạng",
        ),
        "Điện tử - Viễn thông": (
            "ĐTVT",
            "Viễn thông",
            "Kỹ thuật điện tử viễn thông",
            "Kỹ thuật điện tử, truyền thông",
            "Điện tử, truyền thông",
        ),
    },
    "assignment": {
        "Chuyên trách": ("CT", "Chuyên trách CNTT", "Chuyên trách CĐS", "Toàn thời gian"),
        "Kiêm nhiệm": ("KN", "Kiêm", "Kiêm nhiệm CNTT", "Kiêm nhiệm CĐS"),
    },
    "gender": {
        "Nam": ("Nam giới", "M", "Male"),
        "Nữ": ("Nữ giới", "F", "Female"),
    },
    "unit_type": {
        "Sở, ban, ngành": ("Sở", "Sở ngành", "Sở/ngành", "Sở, ngành", "Ban, ngành"),
        "UBND cấp huyện": ("Cấp huyện", "UBND huyện", "Huyện", "UBND thị xã", "UBND quận"),
        "UBND cấp xã": ("Cấp xã", "UBND xã", "Xã", "UBND phường", "Phường", "UBND thị trấn"),
    },
    "yes_no": {
        "Có": (
            "Đã tham gia",
            "Là thành viên",
            "Thành viên",
            "Đã được tiếp cận",
            "Được tiếp cận",
            "Đã sử dụng",
            "Có sử dụng",
            "Đã có",
            "Rồi",
            "Có (đã tham gia)",
        ),
        "Không": (
            "Chưa tham gia",
            "Không tham gia",
            "Chưa được tiếp cận",
            "Chưa sử dụng",
            "Không phải thành viên",
            "Chưa có",
        ),
    },
}

# Spellings read as the value without a warning: the template's hint for Có/Không says "also
# x, ✓" and a blank is Không; the rest are the short forms every office uses.
_YES_EXACT = ("Có", "x", "✓", "✔", "1", "yes", "y", "true", "c", "đúng", "đã", "có tham gia")
_NO_EXACT = ("Không", "0", "no", "n", "false", "k", "-", "không có", "chưa", "sai")

How = Literal["exact", "wording", "similar", "ambiguous", "unknown"]
# A similar value needs this score (0-100) and a lead of SIMILAR_MARGIN over any other value.
SIMILAR_SCORE = 85.0
SIMILAR_MARGIN = 10.0
# The closest choice is named for an unrecognised text only when it is at least this close.
CLOSEST_SCORE = 60.0
# Similarity is only tried on values this long (folded letters and digits): a short word is
# too near too many others ("Phòng" is no typo of "Phường").
_MIN_TYPO_CHARS = 6
# A one-word wording counts inside a longer value only from this length ("CNTT" in "Kỹ sư
# CNTT"; not "Xã" in anything).
_MIN_SIMILAR_CHARS = 4
_MAX_VALUE_CHARS = 80
_WORD = re.compile(r"[a-z0-9]+")
_REMARK = re.compile(r"\([^()]*\)")


@dataclass(frozen=True)
class Reading:
    """How one typed text was read: ``exact`` (the template's spelling), ``wording`` (a known
    clerk wording), ``similar`` (close to one choice only), ``ambiguous`` (close to several:
    not used) or ``unknown``; ``candidates`` names the choices it was close to, best first."""

    typed: str
    choice: str | None
    how: How
    candidates: tuple[str, ...] = ()

    @property
    def field_id(self) -> str | None:
        """The field a label names (a label's choices are field ids)."""
        return self.choice

    @property
    def understood(self) -> bool:
        """Whether the text was read, but not as the template spells it."""
        return self.how in ("wording", "similar")


class Compared(NamedTuple):
    """A text as it is compared: its folded words, joined, and as a set."""

    words: list[str]
    text: str
    word_set: frozenset[str]


class Variant(NamedTuple):
    """One spelling of a choice as it is compared."""

    choice: str
    text: str
    words: frozenset[str]
    n_words: int


class Matcher:
    """Reads typed text as one of ``choices``: their ``spellings`` (exact), then ``wordings``
    (the first choice to claim a wording keeps it), then, where a subclass scores similarity
    (:meth:`similarity`), the one choice scoring ``similar_score`` with a lead of
    ``SIMILAR_MARGIN`` over any other."""

    similar_score = SIMILAR_SCORE

    def __init__(
        self,
        spellings: Mapping[str, Iterable[str]],
        wordings: Mapping[str, Iterable[str]],
        variants: Mapping[str, Iterable[str]],
    ) -> None:
        self.choices = tuple(spellings)
        self._exact: dict[str, str] = {}
        self._wording: dict[str, str] = {}
        for choice, texts in spellings.items():
            for text in texts:
                self._exact[self.key(text)] = choice
        for choice, texts in wordings.items():
            for text in texts:
                key = self.key(text)
                if key not in self._exact:
                    self._wording.setdefault(key, choice)
        self._variants: list[Variant] = []
        for choice, texts in variants.items():
            for text in texts:
                words = self.words(text)
                self._variants.append(
                    Variant(choice, " ".join(words), frozenset(words), len(words))
                )
        # the same texts are read again and again (a header scan, a column of values): each
        # distinct text is scored once
        self.scores = functools.lru_cache(maxsize=8192)(self._scores)  # type: ignore[method-assign]

    def key(self, text: object) -> str:
        """The comparison key of a text: folded letters and digits, or the symbol itself."""
        key = match_key(text)
        return key or fold(clean_text(text)).strip()

    def words(self, text: str) -> list[str]:
        """The folded words a text is compared by."""
        return _WORD.findall(fold(text))

    def known(self, typed: str, key: str) -> Reading | None:
        """The reading of a template spelling or a known wording, or ``None``."""
        if key in self._exact:
            return Reading(typed, self._exact[key], "exact")
        if key in self._wording:
            return Reading(typed, self._wording[key], "wording")
        return None

    def scores(self, typed: str) -> dict[str, float]:
        """Each choice's best similarity (0-100) to ``typed`` (cached; see ``_scores``)."""
        return self._scores(typed)

    def _scores(self, typed: str) -> dict[str, float]:
        words = self.words(typed)
        compared = Compared(words, " ".join(words), frozenset(words))
        best: dict[str, float] = {}
        for variant in self._variants:
            score = self.similarity(compared, variant)
            best[variant.choice] = max(best.get(variant.choice, 0.0), score)
        return best

    def similarity(self, typed: Compared, variant: Variant) -> float:
        """How similar (0-100) a typed text is to one spelling of a choice."""
        raise NotImplementedError

    def closest(self, typed: str) -> Reading:
        """The reading by similarity: one choice clearly closest, several (ambiguous) or none."""
        ranked = sorted(self.scores(typed).items(), key=lambda kv: -kv[1])
        strong = [(c, s) for c, s in ranked if s >= self.similar_score]
        if len(strong) == 1 or (len(strong) > 1 and strong[0][1] - strong[1][1] >= SIMILAR_MARGIN):
            return Reading(typed, strong[0][0], "similar", (strong[0][0],))
        if len(strong) > 1:
            return Reading(typed, None, "ambiguous", tuple(c for c, _ in strong))
        close = tuple(c for c, s in ranked[:1] if s >= CLOSEST_SCORE)
        return Reading(typed, None, "unknown", close)


class ValueMatcher(Matcher):
    """Reads the values of one enumerated field; ``exact`` adds spellings read without a
    warning, ``qualified`` lets a value carry up to three more words ("Kỹ sư xây dựng")."""

    def __init__(
        self,
        choices: tuple[str, ...],
        wordings: Mapping[str, tuple[str, ...]],
        exact: Mapping[str, tuple[str, ...]] | None = None,
        *,
        qualified: bool = True,
    ) -> None:
        self.qualified = qualified
        spellings = {c: (c, *(exact or {}).get(c, ())) for c in choices}
        variants = {c: (*spellings[c], *wordings.get(c, ())) for c in choices}
        super().__init__(spellings, wordings, variants)
        for choice, texts in wordings.items():
            assert choice in choices, f"wording for {choice!r}, not an allowed value"
            for text in texts:
                key = self.key(text)
                owner = self._exact.get(key) or self._wording[key]
                assert owner == choice, f"{text!r} is worded for two values"
        self.read = functools.lru_cache(maxsize=4096)(self._read)  # type: ignore[method-assign]

    def read(self, value: object) -> Reading:
        """How ``value`` reads (cached; see ``_read``)."""
        return self._read(value)

    def _read(self, value: object) -> Reading:
        typed = clean_text(value)
        key = self.key(typed)
        known = self.known(typed, key)
        if known is not None:
            return known
        if len(typed) > _MAX_VALUE_CHARS or len(key) < _MIN_TYPO_CHARS or not has_letters(typed):
            return Reading(typed, None, "unknown")
        remark = _REMARK.sub("", typed).strip()
        in_remark = self.known(typed, self.key(remark)) if remark != typed else None
        if in_remark is not None:
            # a value and a remark in brackets: "Kiêm nhiệm (Phó Chủ tịch UBND)"
            return Reading(typed, in_remark.choice, "similar")
        return self.closest(typed)

    def similarity(self, typed: Compared, variant: Variant) -> float:
        """Its letters (typos: "Chuyên tráhc"), and, where qualifiers are read, a whole wording
        with up to three more words ("Kỹ sư xây dựng" is Đại học, "Kỹ sư CNTT" is CNTT as a
        field of study). Yes/no values take no qualifiers: "Không là thành viên" holds
        "thành viên"."""
        label = variant.text
        # a typo changes letters, not words: "Bán thời gian" is no typo of "Toàn thời gian"
        aligned = _words_align(typed.words, label.split())
        score = fuzz.ratio(typed.text, label) if aligned else 0.0
        extra = len(typed.word_set - variant.words)
        long_enough = variant.n_words >= 2 or len(label) >= _MIN_SIMILAR_CHARS
        if self.qualified and long_enough and variant.words <= typed.word_set and extra <= 3:
            score = max(score, 92.0 - 2.0 * extra)
        return score


_WORD_TYPO = 75.0  # two words are the same word mistyped from this similarity


def _words_align(typed: list[str], variant: list[str]) -> bool:
    """Whether every word of each side has a close word on the other."""
    return all(
        max((fuzz.ratio(a, b) for b in variant), default=0) >= _WORD_TYPO for a in typed
    ) and all(max((fuzz.ratio(b, a) for a in typed), default=0) >= _WORD_TYPO for b in variant)


VALUE_MATCHERS: dict[str, ValueMatcher] = {
    "education_level": ValueMatcher(EDUCATION_LEVELS, WORDINGS["education_level"]),
    "field_of_study": ValueMatcher(FIELDS_OF_STUDY, WORDINGS["field_of_study"]),
    "assignment": ValueMatcher(ASSIGNMENTS, WORDINGS["assignment"]),
    "gender": ValueMatcher(GENDERS, WORDINGS["gender"]),
    "unit_type": ValueMatcher(UNIT_TYPES, WORDINGS["unit_type"]),
}
YES_NO_MATCHER = ValueMatcher(
    YES_NO, WORDINGS["yes_no"], exact={"Có": _YES_EXACT, "Không": _NO_EXACT}, qualified=False
)


def read_choice(field_id: str, value: object) -> Reading:
    """How a value of an enumerated field reads (``unit_type``, ``gender``, …)."""
    return VALUE_MATCHERS[field_id].read(value)


def read_yes_no(value: object) -> tuple[bool | None, Reading]:
    """Có/Không and their wordings as ``True``/``False`` (blank is Không), with the reading."""
    if isinstance(value, bool):
        return value, Reading(str(value), "Có" if value else "Không", "exact")
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value), Reading(str(value), "Có" if value else "Không", "exact")
    if clean_text(value) == "":
        return False, Reading("", "Không", "exact")
    reading = YES_NO_MATCHER.read(value)
    return (None if reading.choice is None else reading.choice == "Có"), reading
