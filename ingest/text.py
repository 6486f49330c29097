"""Text normalisation shared by every reader: NFC, and a diacritic-free matching key.

Every label, DonVi value and enumerated cell of every file is folded to be compared, and the
same few hundred spellings come back file after file: the string forms of short texts are
memoised (bounded, per process), which made reading and checking a file several times cheaper.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")
_NON_KEY = re.compile(r"[^a-z0-9]+")
_MEMO = 1 << 15  # distinct strings remembered per function and process
# Only texts this short are remembered (labels, choices, names): a longer one is worked out each
# time, so files of long distinct cells cannot fill the memory of a long-lived process (the
# portal reads uploads in its own process).
MEMO_CHARS = 300


def _as_text(value: object) -> str | None:
    """``value`` as the string the memoised forms are keyed by (``None`` stays ``None``)."""
    if value is None or isinstance(value, str):
        return value
    return str(value)


def clean_text(value: object) -> str:
    """NFC text with trimmed and collapsed white space; ``None`` becomes ``""``."""
    if type(value) is str:  # most cells: straight to the memo
        return _clean(value)
    text = _as_text(value)
    return "" if text is None else _clean(text)


def _clean(text: str) -> str:
    return _clean_memo(text) if len(text) <= MEMO_CHARS else _clean_text(text)


def _clean_text(text: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


_clean_memo = lru_cache(maxsize=_MEMO)(_clean_text)


def fold(value: object) -> str:
    """Lower-case, diacritic-free, single-spaced form of ``value`` (``Đ`` folds to ``d``)."""
    text = _as_text(value)
    return "" if text is None else _fold(text)


def _fold(text: str) -> str:
    return _fold_memo(text) if len(text) <= MEMO_CHARS else _fold_text(text)


def _fold_text(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", _clean(text).lower())
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn").replace("đ", "d")


_fold_memo = lru_cache(maxsize=_MEMO)(_fold_text)


def match_key(value: object) -> str:
    """Key for comparing labels: folded, with everything but letters and digits removed."""
    if type(value) is str:
        return _match_key(value)
    text = _as_text(value)
    return "" if text is None else _match_key(text)


def _match_key(text: str) -> str:
    return _match_key_memo(text) if len(text) <= MEMO_CHARS else _match_key_text(text)


def _match_key_text(text: str) -> str:
    return _NON_KEY.sub("", _fold(text))


_match_key_memo = lru_cache(maxsize=_MEMO)(_match_key_text)


# Characters Unicode files under letters that show nothing: Hangul fillers and the blank
# Braille pattern are pasted to make a cell look filled in.
_FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def has_letters(value: object) -> bool:
    """Whether ``value`` holds at least one visible letter (what a person's name must have)."""
    text = clean_text(value)
    return any(ch not in _FILLERS and unicodedata.category(ch).startswith("L") for ch in text)


def invisible_only(value: object) -> bool:
    """Whether ``value`` is non-empty but shows nothing a reader can see (fillers, format
    characters, combining marks with nothing to sit on, white space)."""
    text = "" if value is None else str(value)
    return bool(text) and all(
        ch in _FILLERS or ch.isspace() or unicodedata.category(ch) in ("Mn", "Me", "Cf", "Zs")
        for ch in text
    )
