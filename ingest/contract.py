"""Template v1 ("Báo cáo nhân lực chuyển đổi số"): sheets, fields, labels and enumerations.

This module is the single source of truth for the submission contract (DESIGN §3.1): the reader,
the validator, the template writer and the demo-data generator all take labels from here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from core.vocabulary import (
    ASSIGNMENTS,
    EDUCATION_LEVELS,
    FIELDS_OF_STUDY,
    GENDERS,
    UNIT_TYPES,
    YES_NO,
)
from ingest.text import clean_text, fold, match_key
from ingest.wordings import Compared, Matcher, Reading, Variant

SHEET_UNIT = "DonVi"
SHEET_STAFF = "NhanLuc"


# Bounds for every number before it reaches a typed column (DuckDB ``integer``): generous for
# any real unit, far below the column's limit, so a typo (or ``1e10``) is a row error with a fix
# instead of an overflow that stops the load.
MAX_ROW_NO = 100_000  # no unit lists this many people; a larger STT is a typo
MAX_TRAININGS = 366  # at most one class a day over a year
MAX_COMMUNITY_TEAMS = 10_000  # one team per village or residential group of a commune
MAX_COMMUNITY_MEMBERS = 100_000
# Text limits: a name of 200 characters is already implausible; a note may be a paragraph.
MAX_NAME_CHARS = 200
MAX_CODE_CHARS = 20
MAX_NOTE_CHARS = 2000

# A form date before this is a typo (01/01/0001, 1900 from an empty Excel date), and a date
# after today cannot be real; either would otherwise win the "latest file" order forever.
MIN_FORM_DATE = dt.date(2000, 1, 1)


@dataclass(frozen=True)
class Field:
    """One field of the contract: its id, its labels and the rules its values follow.

    ``aliases`` are the other wordings clerks type for the label (shortened or reworded); a
    header written that way is read as this field, with a warning saying so. ``short_vi`` is
    the label shortened to Excel's 32-character limit for input-hint titles (only for labels
    that are longer). ``max_value`` bounds integers, ``max_chars`` bounds text.
    """

    field_id: str
    label_vi: str
    label_en: str
    required: bool = False
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    short_vi: str | None = None
    max_value: int | None = None
    max_chars: int = MAX_NAME_CHARS


UNIT_FIELDS: tuple[Field, ...] = (
    Field(
        "unit_code",
        "Mã đơn vị",
        "Unit code",
        required=True,
        aliases=("Mã ĐV", "Mã số đơn vị", "Mã đơn vị báo cáo", "Mã số ĐV"),
        max_chars=MAX_CODE_CHARS,
    ),
    Field(
        "unit_name",
        "Tên đơn vị",
        "Unit name",
        required=True,
        aliases=("Tên ĐV", "Tên đơn vị báo cáo", "Đơn vị báo cáo", "Tên cơ quan, đơn vị"),
    ),
    Field(
        "unit_type",
        "Loại đơn vị",
        "Unit type",
        required=True,
        choices=UNIT_TYPES,
        aliases=("Loại hình đơn vị", "Cấp đơn vị", "Loại ĐV"),
    ),
    Field(
        "period",
        "Kỳ báo cáo",
        "Reporting period",
        required=True,
        aliases=("Thời kỳ báo cáo", "Năm báo cáo", "Kỳ BC"),
    ),
    Field(
        "has_dx_focal_point",
        "Có bộ phận/đầu mối CĐS",
        "Has a DX unit or focal point",
        required=True,
        choices=YES_NO,
        aliases=(
            "Có đầu mối CĐS",
            "Đầu mối CĐS",
            "Bộ phận/đầu mối CĐS",
            "Có bộ phận hoặc đầu mối CĐS",
            "Có bộ phận, đầu mối chuyển đổi số",
        ),
    ),
    Field(
        "focal_point_decision_ref",
        "Văn bản phân công đầu mối CĐS",
        "Focal point decision",
        aliases=(
            "Văn bản phân công đầu mối",
            "Quyết định phân công đầu mối CĐS",
            "Số văn bản phân công",
            "Văn bản phân công",
        ),
    ),
    Field(
        "community_teams",
        "Số Tổ công nghệ số cộng đồng",
        "Community digital teams",
        aliases=(
            "Số Tổ CNSCĐ",
            "Số Tổ công nghệ số",
            "Tổ công nghệ số cộng đồng",
            "Số Tổ CNS cộng đồng",
            "Số Tổ CNS",
            "Số tổ CNSCĐ đã thành lập",
            "Số Tổ công nghệ số cộng đồng đã thành lập",
        ),
        max_value=MAX_COMMUNITY_TEAMS,
    ),
    Field(
        "community_team_members",
        "Số thành viên Tổ CNSCĐ",
        "Community team members",
        aliases=("Số thành viên Tổ công nghệ số cộng đồng", "Số thành viên Tổ"),
        max_value=MAX_COMMUNITY_MEMBERS,
    ),
    Field(
        "community_team_members_trained",
        "Số thành viên Tổ CNSCĐ đã được tập huấn",
        "Community team members trained",
        aliases=(
            "Số thành viên Tổ đã được tập huấn",
            "Số thành viên Tổ CNSCĐ được tập huấn",
            "Số thành viên Tổ đã tập huấn",
            "Thành viên Tổ CNSCĐ đã tập huấn",
        ),
        short_vi="Thành viên Tổ CNSCĐ đã tập huấn",
        max_value=MAX_COMMUNITY_MEMBERS,
    ),
    Field(
        "prepared_by",
        "Người lập biểu",
        "Prepared by",
        aliases=("Người lập", "Người lập báo cáo", "Người báo cáo"),
    ),
    Field(
        "submitted_on",
        "Ngày lập",
        "Date prepared",
        aliases=("Ngày lập biểu", "Ngày báo cáo", "Ngày lập báo cáo"),
    ),
)

STAFF_FIELDS: tuple[Field, ...] = (
    Field("row_no", "STT", "No.", aliases=("Số thứ tự", "Số TT", "TT"), max_value=MAX_ROW_NO),
    Field(
        "full_name",
        "Họ và tên",
        "Full name",
        required=True,
        aliases=("Họ tên", "Họ và tên cán bộ", "Họ và tên công chức", "Tên cán bộ"),
    ),
    Field("birth_year", "Năm sinh", "Birth year", required=True, aliases=("Sinh năm", "Năm SN")),
    Field("gender", "Giới tính", "Gender", choices=GENDERS, aliases=("Nam/Nữ", "Nam, Nữ")),
    Field("position_title", "Chức vụ", "Position", aliases=("Chức danh", "Chức vụ, chức danh")),
    Field(
        "job_position",
        "Vị trí việc làm",
        "Job position",
        aliases=("VTVL", "Vị trí việc làm (VTVL)", "Vị trí công việc"),
    ),
    Field(
        "assignment",
        "Hình thức bố trí",
        "Assignment",
        required=True,
        choices=ASSIGNMENTS,
        aliases=(
            "Chuyên trách/Kiêm nhiệm",
            "Chuyên trách hay kiêm nhiệm",
            "Hình thức bố trí (chuyên trách/kiêm nhiệm)",
        ),
    ),
    Field(
        "education_level",
        "Trình độ chuyên môn",
        "Education level",
        required=True,
        choices=EDUCATION_LEVELS,
        aliases=("Trình độ", "Trình độ đào tạo", "Trình độ chuyên môn cao nhất", "Bằng cấp"),
    ),
    Field(
        "field_of_study",
        "Chuyên ngành",
        "Field of study",
        choices=FIELDS_OF_STUDY,
        aliases=("Chuyên ngành đào tạo", "Ngành đào tạo", "Chuyên ngành được đào tạo"),
    ),
    Field(
        "trainings_in_period",
        "Số lớp bồi dưỡng, tập huấn về CĐS trong kỳ",
        "DX trainings in period",
        aliases=(
            "Số lớp tập huấn CĐS trong kỳ",
            "Số lớp tập huấn về CĐS trong kỳ",
            "Số lớp bồi dưỡng, tập huấn trong kỳ",
            "Số lớp tập huấn trong kỳ",
            "Số lớp tập huấn",
            "Số lớp bồi dưỡng, tập huấn",
            "Số lần tập huấn CĐS",
            "Số lần tham gia bồi dưỡng về chuyển đổi số",
            "Số lần tham gia bồi dưỡng, tập huấn về CĐS",
            "Số lần tham gia tập huấn CĐS",
            "Số lần được bồi dưỡng, tập huấn về CĐS",
            "Số lớp bồi dưỡng CĐS đã tham gia",
            "Số khóa bồi dưỡng, tập huấn CĐS",
        ),
        short_vi="Số lớp tập huấn CĐS trong kỳ",
        max_value=MAX_TRAININGS,
    ),
    Field(
        "dx_network_member",
        "Thành viên Mạng lưới CĐS",
        "DX network member",
        choices=YES_NO,
        aliases=("Mạng lưới CĐS", "Thành viên mạng lưới", "Tham gia Mạng lưới CĐS"),
    ),
    Field(
        "incident_response_member",
        "Thành viên Đội ứng cứu sự cố ATTT mạng",
        "Incident response team member",
        choices=YES_NO,
        aliases=(
            "Thành viên Đội ứng cứu sự cố",
            "Đội ứng cứu sự cố ATTT mạng",
            "Đội ứng cứu sự cố",
            "Thành viên Đội ứng cứu sự cố ATTT",
        ),
        short_vi="Đội ứng cứu sự cố ATTT mạng",
    ),
    Field(
        "platform_access",
        "Được tiếp cận, sử dụng nền tảng số, bộ công cụ CĐS",
        "Uses national platforms and toolkits",
        choices=YES_NO,
        aliases=(
            "Được tiếp cận nền tảng số",
            "Tiếp cận nền tảng số",
            "Sử dụng nền tảng số",
            "Được tiếp cận, sử dụng nền tảng số",
            "Sử dụng nền tảng số, bộ công cụ CĐS",
        ),
        short_vi="Sử dụng nền tảng số, bộ công cụ",
    ),
    Field("note", "Ghi chú", "Note", max_chars=MAX_NOTE_CHARS),
)

UNIT_FIELD_IDS = tuple(f.field_id for f in UNIT_FIELDS)
STAFF_FIELD_IDS = tuple(f.field_id for f in STAFF_FIELDS)
FIELDS_BY_ID: dict[str, Field] = {f.field_id: f for f in UNIT_FIELDS + STAFF_FIELDS}


def hint_title(f: Field) -> str:
    """The label as an input-hint title, within Excel's 32 characters and in whole words."""
    return f.label_vi if len(f.label_vi) <= 32 else (f.short_vi or f.label_vi)


# The plan targets (DESIGN §4.1) a field is needed for, in a clerk's words, and the staffing
# figures it feeds: a column that is missing leaves them unknown for the unit, never 0.
TARGET_NAMES: dict[str, tuple[str, str]] = {
    "T2025_PLATFORM_ACCESS": (
        "100% thành viên Mạng lưới CĐS được tiếp cận, sử dụng nền tảng số",
        "every CĐS network member uses the national platforms",
    ),
    "T2030_ANNUAL_TRAINING": (
        "100% cán bộ làm CĐS được tập huấn hằng năm",
        "every CĐS staff member is trained every year",
    ),
    "T2030_NETWORK": (
        "Mạng lưới CĐS được hình thành ở mọi đơn vị",
        "a CĐS network in every unit",
    ),
}
TARGETS_NEEDING: dict[str, tuple[str, ...]] = {
    "trainings_in_period": ("T2030_ANNUAL_TRAINING",),
    "platform_access": ("T2025_PLATFORM_ACCESS",),
    "dx_network_member": ("T2025_PLATFORM_ACCESS", "T2030_NETWORK"),
}
FIGURES_NEEDING: dict[str, tuple[str, str]] = {
    "field_of_study": (
        "số người có trình độ đại học CNTT trở lên",
        "people with a university IT degree or higher",
    ),
    "incident_response_member": (
        "số thành viên Đội ứng cứu sự cố",
        "incident-response team members",
    ),
    "community_teams": ("số Tổ công nghệ số cộng đồng", "community digital teams"),
    "community_team_members": ("số thành viên Tổ CNSCĐ", "community team members"),
    "community_team_members_trained": (
        "số thành viên Tổ CNSCĐ đã được tập huấn",
        "community team members trained",
    ),
    "submitted_on": (
        "thứ tự các tệp gửi lại cho cùng kỳ (tệp lập sau thay tệp trước)",
        "which of several files for the same period is the latest",
    ),
}


# A similarity match needs this score (0-100) and a lead of SIMILAR_MARGIN over any other field.
SIMILAR_SCORE = 80.0
_MAX_LABEL_CHARS = 300  # longer cells are text, not labels: not compared at all
_MATCH_MEMO = 1 << 14  # distinct texts whose reading a matcher remembers
_WORD = re.compile(r"[a-z0-9]+")
# Abbreviations official forms use, spelled out or not by clerks: compared in their short form.
# Longer forms first: "công nghệ số cộng đồng" is CNSCĐ before "công nghệ số" is CNS.
_ABBREVIATIONS = (
    (re.compile(r"\bchuyen doi so\b"), "cds"),
    (re.compile(r"\bcong nghe thong tin\b"), "cntt"),
    (re.compile(r"\ban toan thong tin\b"), "attt"),
    (re.compile(r"\bcong nghe so cong dong\b"), "cnscd"),
    (re.compile(r"\bcns cong dong\b"), "cnscd"),
    (re.compile(r"\bcong nghe so\b"), "cns"),
    (re.compile(r"\buy ban nhan dan\b"), "ubnd"),
    (re.compile(r"\bbao cao\b"), "bc"),
    (re.compile(r"\bdon vi\b"), "dv"),
)


def label_words(label: str) -> list[str]:
    """The folded words of a label, with the forms' abbreviations in their short form (CĐS,
    CNTT, ATTT, CNSCĐ, CNS, UBND, BC, ĐV), so a spelled-out and a shortened form compare equal."""
    text = " ".join(_WORD.findall(fold(label)))
    for long_form, short in _ABBREVIATIONS:
        text = long_form.sub(short, text)
    return text.split()


class LabelMatcher(Matcher):
    """Reads the labels of one group of fields (the ``DonVi`` rows, or a header row) as field
    ids: a :class:`~ingest.wordings.Matcher` whose ``exact`` readings are the template's
    labels (DESIGN §3.1: any case, diacritics or not, NFC or NFD, English id) and whose
    ``wording`` readings are the known clerk wordings.

    Similarity, only where asked for, is scored on folded words with the forms' abbreviations
    shortened: the best of rapidfuzz's ``token_sort_ratio`` (letters: typos, word order), the
    share of words in common (reworded and shortened forms) and, for the whole label plus one
    or two qualifying words ("Chức vụ hiện nay"), 90 less 5 per extra word. A field is taken
    from ``SIMILAR_SCORE`` when no other field comes within ``SIMILAR_MARGIN``; a label close to
    two fields is never guessed.
    """

    similar_score = SIMILAR_SCORE

    def __init__(self, fields: tuple[Field, ...]) -> None:
        self.fields = fields
        super().__init__(
            {f.field_id: (f.label_vi, f.label_en, f.field_id) for f in fields},
            {f.field_id: (*f.aliases, *((f.short_vi,) if f.short_vi else ())) for f in fields},
            {f.field_id: (f.label_vi, f.label_en, *f.aliases) for f in fields},
        )
        self._memo: dict[tuple[str, bool], Reading] = {}

    def key(self, text: object) -> str:
        return match_key(text)

    def words(self, text: str) -> list[str]:
        return label_words(text)

    def strict(self, label: object) -> str | None:
        """The field a label names exactly or by a known wording, or ``None``."""
        if isinstance(label, str) and len(label) > _MAX_LABEL_CHARS:
            return None  # a long text is no label: not even folded (it may be megabytes)
        key = match_key(label)
        return self._exact.get(key) or self._wording.get(key)

    def match(self, label: object, *, similar: bool = True) -> Reading:
        """How ``label`` reads (see the class); ``similar=False`` stops after known wordings.

        A text's reading depends on the text alone: every DonVi row and header cell of every
        file is read, and the same few hundred texts come back file after file, so each
        distinct text is read once per process (bounded)."""
        if type(label) is not str or len(label) > _MAX_LABEL_CHARS:
            return self._match(label, similar)
        memo = self._memo
        found = memo.get((label, similar))
        if found is None:
            found = self._match(label, similar)
            if len(memo) >= _MATCH_MEMO:
                memo.clear()
            memo[(label, similar)] = found
        return found

    def _match(self, label: object, similar: bool) -> Reading:
        if isinstance(label, str) and len(label) > _MAX_LABEL_CHARS:
            return Reading(f"{clean_text(label[:40])}…", None, "unknown")
        typed = clean_text(label) if isinstance(label, str) else clean_text(label)[:40]
        key = match_key(label)
        known = self.known(typed, key)
        if known is not None:
            return known
        if not similar or not key or not isinstance(label, str) or len(typed) > _MAX_LABEL_CHARS:
            return Reading(typed, None, "unknown")
        return self.closest(typed)

    def similarity(self, typed: Compared, variant: Variant) -> float:
        # letters catch typos ("Ho va tne"); shared words catch reworded and shortened
        # forms ("Số lớp tập huấn năm 2024"), whose letters differ more than their words
        n_label = variant.n_words
        shared = 200.0 * len(typed.word_set & variant.words) / (len(typed.word_set) + n_label or 1)
        score = max(fuzz.token_sort_ratio(typed.text, variant.text), shared)
        extra = len(typed.word_set - variant.words)
        if n_label >= 2 and variant.words <= typed.word_set and extra <= 2:
            # the whole label and a qualifier or two: "Chức vụ hiện nay"
            score = max(score, 90.0 - 5.0 * extra)
        return score


UNIT_LABELS = LabelMatcher(UNIT_FIELDS)
STAFF_LABELS = LabelMatcher(STAFF_FIELDS)
# A NhanLuc header may also carry the DonVi fields (the flat form): one matcher over both, so
# a header close to a staff field and a unit field is ambiguous, not guessed.
HEADER_LABELS = LabelMatcher(STAFF_FIELDS + UNIT_FIELDS)


def choice_for(value: object, choices: tuple[str, ...]) -> str | None:
    """The canonical choice ``value`` spells (diacritics and case ignored), or ``None``."""
    key = match_key(value)
    for choice in choices:
        if match_key(choice) == key:
            return choice
    return None


def unit_level_for_type(unit_type: str) -> str:
    """``province`` (departments), ``district`` or ``commune``."""
    return {
        "Sở, ban, ngành": "province",
        "UBND cấp huyện": "district",
        "UBND cấp xã": "commune",
    }[unit_type]
