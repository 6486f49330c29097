"""Legacy Vietnamese font encodings (TCVN3/ABC and VNI-Windows): detection and repair.

Before Unicode, Vietnamese offices typed with fonts that drew Vietnamese letters on Latin-1 code
points: ``.VnTime`` (TCVN3, also called ABC: one byte per letter) and ``VNI-Times`` (VNI-Windows:
a base letter followed by a diacritic byte). Excel keeps those code points, so a name typed
"Nguyễn Văn Ánh" in ``.VnTime`` reads back as ``NguyÔn V¨n ¸nh``. The tables below are the
mapping, in both directions, so tests and demo data can write such text and the reader can
repair it.

Genuine Unicode must never be altered. A cell is only converted when:

- it holds no character that only Unicode Vietnamese has (ă, đ, ơ, ư, the U+1EA0–U+1EF9 block,
  combining tone marks): such text is Unicode already;
- the decoded text is made of valid Vietnamese syllables (every word that changed);
- and there is evidence: a character no Vietnamese Unicode text uses inside a word (``µ``,
  ``¸``, ``ø`` …), or the rest of the file was already found to be in that encoding (a
  ``.VnTime`` "Có" is stored as ``Cã``, which carries no evidence of its own).

Real Vietnamese text, whatever the names, places or case, contains none of the evidence
characters, so a file in Unicode is returned unchanged. Inside a file found to be in a legacy
encoding, a cell that only uses the Latin-1 letters of Vietnamese is ambiguous and is decoded
with the file; the reader keeps the cell as typed where an enumerated field only matches that
way (a Unicode "Có" chosen from a dropdown in an old workbook).
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from typing import Literal

from ingest.text import MEMO_CHARS

Encoding = Literal["tcvn3", "vni"]
ENCODINGS: tuple[Encoding, ...] = ("tcvn3", "vni")

# TCVN3 (TCVN 5712:1993, VN3 — the ABC/.VnTime fonts). Unicode letter → code point as Excel
# shows it. VN3 has no code for capital letters carrying a tone mark: .VnTime users typed them
# with the lower-case codes in the all-capitals companion font (.VnTimeH), so they read back in
# lower case (see ``_restore_initial_capitals``).
TCVN3_FROM_UNICODE: dict[str, str] = {
    "à": "µ", "á": "¸", "ả": "¶", "ã": "·", "ạ": "¹",
    "ă": "¨", "ằ": "»", "ắ": "¾", "ẳ": "¼", "ẵ": "½", "ặ": "Æ",
    "â": "©", "ầ": "Ç", "ấ": "Ê", "ẩ": "È", "ẫ": "É", "ậ": "Ë",
    "đ": "®",
    "è": "Ì", "é": "Ð", "ẻ": "Î", "ẽ": "Ï", "ẹ": "Ñ",
    "ê": "ª", "ề": "Ò", "ế": "Õ", "ể": "Ó", "ễ": "Ô", "ệ": "Ö",
    "ì": "×", "í": "Ý", "ỉ": "Ø", "ĩ": "Ü", "ị": "Þ",
    "ò": "ß", "ó": "ã", "ỏ": "á", "õ": "â", "ọ": "ä",
    "ô": "«", "ồ": "å", "ố": "è", "ổ": "æ", "ỗ": "ç", "ộ": "é",
    "ơ": "¬", "ờ": "ê", "ớ": "í", "ở": "ë", "ỡ": "ì", "ợ": "î",
    "ù": "ï", "ú": "ó", "ủ": "ñ", "ũ": "ò", "ụ": "ô",
    "ư": "\u00ad", "ừ": "õ", "ứ": "ø", "ử": "ö", "ữ": "÷", "ự": "ù",
    "ỳ": "ú", "ý": "ý", "ỷ": "û", "ỹ": "ü", "ỵ": "þ",
    "Ă": "¡", "Â": "¢", "Ê": "£", "Ô": "¤", "Ơ": "¥", "Ư": "¦", "Đ": "§",
}  # fmt: skip
TCVN3_TO_UNICODE: dict[str, str] = {code: letter for letter, code in TCVN3_FROM_UNICODE.items()}

# VNI-Windows: a base letter followed by one diacritic character (lower- and upper-case sets).
_VNI_TONES_LOWER = {"\u0300": "ø", "\u0301": "ù", "\u0309": "û", "\u0303": "õ", "\u0323": "ï"}
_VNI_TONES_UPPER = {"\u0300": "Ø", "\u0301": "Ù", "\u0309": "Û", "\u0303": "Õ", "\u0323": "Ï"}
# circumflex (â ê ô) with each tone, and breve (ă) with each tone
_VNI_CIRC_LOWER = {
    "": "â",
    "\u0301": "á",
    "\u0300": "à",
    "\u0309": "å",
    "\u0303": "ã",
    "\u0323": "ä",
}
_VNI_CIRC_UPPER = {
    "": "Â",
    "\u0301": "Á",
    "\u0300": "À",
    "\u0309": "Å",
    "\u0303": "Ã",
    "\u0323": "Ä",
}
_VNI_BREVE_LOWER = {
    "": "ê",
    "\u0301": "é",
    "\u0300": "è",
    "\u0309": "ú",
    "\u0303": "ü",
    "\u0323": "ë",
}
_VNI_BREVE_UPPER = {
    "": "Ê",
    "\u0301": "É",
    "\u0300": "È",
    "\u0309": "Ú",
    "\u0303": "Ü",
    "\u0323": "Ë",
}
# letters VNI writes as one character
_VNI_SINGLE = {
    "đ": "ñ", "Đ": "Ñ", "ơ": "ô", "Ơ": "Ô", "ư": "ö", "Ư": "Ö",
    "ì": "ì", "í": "í", "ỉ": "æ", "ĩ": "ó", "ị": "ò",
    "Ì": "Ì", "Í": "Í", "Ỉ": "Æ", "Ĩ": "Ó", "Ị": "Ò",
    "ỵ": "î", "Ỵ": "Î",
}  # fmt: skip
_TONES = ("\u0300", "\u0301", "\u0309", "\u0303", "\u0323")


def _build_vni() -> dict[str, str]:
    table: dict[str, str] = dict(_VNI_SINGLE)
    for lower, upper in (("a", "A"), ("e", "E"), ("o", "O"), ("u", "U"), ("y", "Y")):
        for base, tones in ((lower, _VNI_TONES_LOWER), (upper, _VNI_TONES_UPPER)):
            for mark, code in tones.items():
                table.setdefault(unicodedata.normalize("NFC", base + mark), base + code)
    for lower, upper in (("a", "A"), ("e", "E"), ("o", "O")):
        for base, marks in ((lower, _VNI_CIRC_LOWER), (upper, _VNI_CIRC_UPPER)):
            for mark, code in marks.items():
                table[unicodedata.normalize("NFC", base + "\u0302" + mark)] = base + code
    for base, marks in (("a", _VNI_BREVE_LOWER), ("A", _VNI_BREVE_UPPER)):
        for mark, code in marks.items():
            table[unicodedata.normalize("NFC", base + "\u0306" + mark)] = base + code
    for letter, tones in (("ơ", _VNI_TONES_LOWER), ("ư", _VNI_TONES_LOWER)):
        for mark, code in tones.items():
            table[unicodedata.normalize("NFC", letter + mark)] = _VNI_SINGLE[letter] + code
    for letter, tones in (("Ơ", _VNI_TONES_UPPER), ("Ư", _VNI_TONES_UPPER)):
        for mark, code in tones.items():
            table[unicodedata.normalize("NFC", letter + mark)] = _VNI_SINGLE[letter] + code
    return table


VNI_FROM_UNICODE: dict[str, str] = _build_vni()
VNI_TO_UNICODE: dict[str, str] = {code: letter for letter, code in VNI_FROM_UNICODE.items()}

# Letters of Vietnamese Unicode that lie in Latin-1: legacy text that only uses these is
# indistinguishable from Unicode without context.
_VIET_LATIN1 = frozenset("ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúý")
_UNICODE_ONLY = re.compile(r"[ăđĩũơưĂĐĨŨƠƯ\u0300-\u036f\u1ea0-\u1ef9]")
_LEGACY_CHARS = re.compile(r"[\u00a0-\u00ff]")
# A word: letters, or the Latin-1 code points legacy fonts drew letters on ("¸", "®", soft hyphen).
_WORD = re.compile(r"(?:[^\W\d_]|[\u00a1-\u00ff])+")

_ONSET = "(?:ngh|ng|gh|gi|kh|nh|ph|th|tr|ch|qu|b|c|d|đ|g|h|k|l|m|n|p|r|s|t|v|x)?"
_NUCLEUS = (
    "(?:uyê|uya|uyu|uôi|ươi|ươu|oai|oay|oeo|uây|iêu|yêu|"
    "oa|oă|oe|oo|uâ|uê|uy|uô|uơ|ươ|ưa|ưi|ưu|ua|ui|ia|iê|yê|iu|ai|ao|au|ay|âu|ây|eo|êu|oi|ôi|ơi|"
    "a|ă|â|e|ê|i|o|ô|ơ|u|ư|y)"
)
_SYLLABLE = re.compile(f"{_ONSET}(?P<nucleus>{_NUCLEUS})(?P<coda>ng|nh|ch|c|m|n|p|t)?")


def unicode_to_tcvn3(text: str) -> str:
    """``text`` as a .VnTime (TCVN3) font would store it; toned capitals become lower case."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        code = TCVN3_FROM_UNICODE.get(ch)
        if code is None:
            code = TCVN3_FROM_UNICODE.get(ch.lower())
        out.append(code if code is not None else ch)
    return "".join(out)


def unicode_to_vni(text: str) -> str:
    """``text`` as a VNI-Windows font (VNI-Times) would store it."""
    return "".join(VNI_FROM_UNICODE.get(ch, ch) for ch in unicodedata.normalize("NFC", text))


def tcvn3_to_unicode(text: str) -> str:
    """Decode TCVN3 code points, unconditionally (see :func:`repair` for the safe entry point)."""
    return "".join(TCVN3_TO_UNICODE.get(ch, ch) for ch in text)


_VNI_PAIRS = {code: letter for code, letter in VNI_TO_UNICODE.items() if len(code) == 2}
_VNI_SINGLES = {code: letter for code, letter in VNI_TO_UNICODE.items() if len(code) == 1}


def vni_to_unicode(text: str) -> str:
    """Decode VNI-Windows pairs and singles, longest match first, unconditionally."""
    out = []
    i = 0
    while i < len(text):
        pair = text[i : i + 2]
        if pair in _VNI_PAIRS:
            out.append(_VNI_PAIRS[pair])
            i += 2
            continue
        out.append(_VNI_SINGLES.get(text[i], text[i]))
        i += 1
    return "".join(out)


_DECODERS = {"tcvn3": tcvn3_to_unicode, "vni": vni_to_unicode}
_CODE_CHARS: dict[str, frozenset[str]] = {
    "tcvn3": frozenset(TCVN3_TO_UNICODE),
    "vni": frozenset("".join(VNI_TO_UNICODE)),
}


def is_vietnamese_syllable(word: str) -> bool:
    """Whether ``word`` is a well-formed Vietnamese syllable (onset, vowel group, coda, tone).

    Checks shapes, not a dictionary: at most one tone mark, on a vowel that may carry it (old
    and new styles: "hoà" and "hòa"), and the stop codas c/ch/p/t only with sắc or nặng.
    """
    if any(a.islower() and b.isupper() for a, b in itertools.pairwise(word)):
        return False  # "cÊp": a capital inside a word is a legacy code, not Vietnamese
    base_chars: list[str] = []
    tones: list[tuple[int, str]] = []
    for index, ch in enumerate(unicodedata.normalize("NFC", word.lower())):
        decomposed = unicodedata.normalize("NFD", ch)
        tones += [(index, mark) for mark in decomposed if mark in _TONES]
        base_chars.append(
            unicodedata.normalize("NFC", "".join(m for m in decomposed if m not in _TONES))
        )
    if len(tones) > 1 or len("".join(base_chars)) != len(base_chars):
        return False
    match = _SYLLABLE.fullmatch("".join(base_chars))
    if match is None:
        return False
    if not tones:
        return True
    position, tone = tones[0]
    coda = match.group("coda")
    if coda in ("c", "ch", "p", "t") and tone not in ("\u0301", "\u0323"):
        return False
    return position - match.start("nucleus") in _tone_places(match.group("nucleus"), bool(coda))


def _tone_places(nucleus: str, has_coda: bool) -> set[int]:
    """Indexes in the vowel group where the tone mark may sit."""
    marked = [i for i, ch in enumerate(nucleus) if ch in "ăâêôơư"]
    if marked:
        return {marked[-1]}
    if len(nucleus) == 1:
        return {0}
    if len(nucleus) == 3:
        return {1}
    if nucleus in ("oa", "oe", "uy"):
        return {1} if has_coda else {0, 1}
    return {1} if has_coda else {0}


def _words_changed(original: str, encoding: Encoding) -> list[tuple[str, str]]:
    decode = _DECODERS[encoding]
    return [(w, d) for w in _WORD.findall(original) if (d := decode(w)) != w]


def _foreign(ch: str) -> bool:
    """A Latin-1 character that no Vietnamese Unicode text uses as a letter."""
    return "\u00a1" <= ch <= "\u00ff" and ch not in _VIET_LATIN1


def _acceptable_after(word: str) -> bool:
    # acronyms such as CĐS or UBND are no syllables
    return is_vietnamese_syllable(word) or (word.isupper() and not any(map(_foreign, word)))


def _candidate(text: str, encoding: Encoding, hinted: bool) -> bool:
    if any(_foreign(ch) or ch in _VIET_LATIN1 for ch in text if ch not in _CODE_CHARS[encoding]):
        return False  # a Latin-1 letter this encoding never produces: not this encoding
    changed = _words_changed(text, encoding)
    if not changed or not all(_acceptable_after(after) for _, after in changed):
        return False
    # Evidence: a character Vietnamese Unicode never uses, or a word that only reads as
    # Vietnamese once decoded ("Nguyeãn"). Without evidence, only the file's own encoding may
    # decode a cell: "Cã" is "Có" in a .VnTime file, and a Unicode "Cã" elsewhere.
    # A lone symbol ("·", "«", "§") is punctuation as often as a letter: no evidence.
    return hinted or any(
        (any(map(_foreign, before)) or not is_vietnamese_syllable(before))
        and is_vietnamese_syllable(after)
        and any(unicodedata.category(ch).startswith("L") for ch in before)
        for before, after in changed
    )


# Codes of toned lower-case vowels: the ones a toned capital was typed with. đ ă â ê ô ơ ư have
# capital codes of their own, so their lower-case codes really are lower case.
_TCVN3_TONED_LOWER_CODES = frozenset(
    code
    for letter, code in TCVN3_FROM_UNICODE.items()
    if letter.islower() and letter not in "đăâêôơư"
)


def _restore_initial_capitals(original: str, decoded: str) -> str:
    """Capitalise a word whose toned capital TCVN3 could not store, when every other word of the
    cell starts with a capital (names and place names: ``NguyÔn V¨n ¸nh`` → ``Nguyễn Văn Ánh``).
    """
    words = list(_WORD.finditer(decoded))
    if len(words) < 2:
        return decoded
    lowered = [
        w
        for w in words
        if w.group()[0].islower() and original[w.start()] in _TCVN3_TONED_LOWER_CODES
    ]
    others = [w for w in words if w not in lowered]
    if not lowered or not others or not all(w.group()[0].isupper() for w in others):
        return decoded
    chars = list(decoded)
    for w in lowered:
        chars[w.start()] = chars[w.start()].upper()
    return "".join(chars)


def detect(text: str, hint: Encoding | None = None) -> Encoding | None:
    """The legacy encoding ``text`` is written in, or ``None`` (Unicode, ASCII, or unsure).

    Short texts (the same names and choices recur in every file) are remembered; a long one
    is looked at each time (see :data:`ingest.text.MEMO_CHARS`)."""
    if len(text) <= MEMO_CHARS:
        return _detect_memo(text, hint)
    return _detect(text, hint)


def _detect(text: str, hint: Encoding | None = None) -> Encoding | None:
    if not _LEGACY_CHARS.search(text) or _UNICODE_ONLY.search(text):
        return None
    found = [e for e in ENCODINGS if _candidate(text, e, hinted=(e == hint))]
    if len(found) == 1:
        return found[0]
    if hint in found:
        return hint
    return None


_detect_memo = functools.lru_cache(maxsize=1 << 16)(_detect)


def repair(text: str, hint: Encoding | None = None) -> tuple[str, Encoding | None]:
    """``text`` decoded to Unicode if it is legacy-font text, with the encoding found.

    ``hint`` is the encoding already found in other cells of the same file; it lets short,
    ambiguous cells be decoded too. Unicode text is returned unchanged with ``None``.
    """
    encoding = detect(text, hint)
    if encoding is None:
        return text, None
    decoded = _DECODERS[encoding](text)
    if encoding == "tcvn3":
        decoded = _restore_initial_capitals(text, decoded)
    return decoded, encoding


def file_encoding(texts: Iterable[str]) -> Encoding | None:
    """The legacy encoding most cells of a file show strong evidence of, or ``None``."""
    votes: Counter[str] = Counter()
    for text in texts:
        encoding = detect(text)
        if encoding is not None:
            votes[encoding] += 1
    if not votes:
        return None
    best = votes.most_common(1)[0][0]
    return "tcvn3" if best == "tcvn3" else "vni"


_NON_ASCII_WORD = re.compile(r"\w*[^\x00-\x7f]\w*")


def _vietnamese_score(text: str) -> int:
    """Words with non-ASCII letters that read as Vietnamese syllables, minus those that do not."""
    score = 0
    for word in _NON_ASCII_WORD.findall(text):
        score += 1 if is_vietnamese_syllable(word) else -1
    return score


def decode_text(data: bytes) -> tuple[str, str]:
    """Text of a CSV file and the encoding it was read with (NFC).

    BOMs decide first; then UTF-16 without BOM (NUL bytes on one side); then strict UTF-8;
    otherwise the bytes are 8-bit: Windows-1258 (whose tone marks may be combining characters)
    or a legacy Vietnamese font saved as Windows-1252, whichever reads as Vietnamese.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return _nfc(data[3:].decode("utf-8", errors="replace")), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _nfc(data.decode("utf-16", errors="replace")), "utf-16"
    sample = data[:4096]
    if len(sample) >= 4:
        even, odd = sample[0::2], sample[1::2]
        if odd.count(0) > len(odd) * 0.3 and even.count(0) < len(even) * 0.05:
            return _nfc(data.decode("utf-16-le", errors="replace")), "utf-16-le"
        if even.count(0) > len(even) * 0.3 and odd.count(0) < len(odd) * 0.05:
            return _nfc(data.decode("utf-16-be", errors="replace")), "utf-16-be"
    try:
        return _nfc(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    as_1258 = _nfc(data.decode("cp1258", errors="replace"))
    as_1252 = data.decode("cp1252", errors="replace")
    legacy = file_encoding(as_1252.splitlines())
    if legacy is not None:
        repaired = "\n".join(repair(line, legacy)[0] for line in as_1252.splitlines())
        if _vietnamese_score(repaired) > _vietnamese_score(as_1258):
            return as_1252, "cp1252"  # the reader repairs the legacy font cell by cell
    return as_1258, "cp1258"


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)
