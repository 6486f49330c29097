"""Text normalisation shared by every reader: NFC, and a diacritic-free matching key."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NON_KEY = re.compile(r"[^a-z0-9]+")


def clean_text(value: object) -> str:
    """NFC text with trimmed and collapsed white space; ``None`` becomes ``""``."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    return _SPACES.sub(" ", text).strip()


def fold(value: object) -> str:
    """Lower-case, diacritic-free, single-spaced form of ``value`` (``Đ`` folds to ``d``)."""
    text = unicodedata.normalize("NFD", clean_text(value).lower())
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return text.replace("đ", "d")


def match_key(value: object) -> str:
    """Key for comparing labels: folded, with everything but letters and digits removed."""
    return _NON_KEY.sub("", fold(value))
