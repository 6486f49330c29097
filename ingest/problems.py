"""Problems found in a file: stable codes, severities, and messages a clerk can act on.

One problem type serves both loaders: a :class:`Problem` names its code and where it was found,
and reads its scope, severity and messages from a catalogue of :class:`Message` (``MESSAGES``
here for submissions; ``ingest.dti.problems.CHECKS`` for DTI publications, through
:class:`ingest.dti.problems.DtiProblem`).

Every check has a stable code. File-level errors reject the whole file; row-level errors
quarantine that row only (a row that names no one, or cannot be read); field-level errors make
one value of a person unknown while the person still counts; warnings and notes (``info``) are
recorded and never block. Row and field errors are both errors the clerk is asked to fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar, Literal

Severity = Literal["error", "warning", "info"]
MAX_VALUE_CHARS = 120
# "field": the value is unknown for that person, the person is kept (docs/intake.md)
Scope = Literal["file", "row", "field"]


@dataclass(frozen=True)
class Message:
    scope: Scope
    severity: Severity
    vi: str
    en: str
    fix_vi: str
    fix_en: str


# code -> message. Templates are formatted with the problem's ``params`` plus ``value``.
MESSAGES: dict[str, Message] = {
    "FILE_UNREADABLE": Message(
        "file",
        "error",
        # the detail is the reader's own (English) words: for the operator, not the clerk
        "Không đọc được tệp: tệp bị hỏng, có mật khẩu, hoặc không phải bảng tính Excel/CSV.",
        "The file cannot be read ({detail}).",
        "Lưu lại tệp bằng Excel dưới dạng .xlsx theo mẫu v1 rồi gửi lại.",
        "Save the file again in Excel as .xlsx using template v1 and resend it.",
    ),
    "FILE_UNSUPPORTED_TYPE": Message(
        "file",
        "error",
        "Định dạng tệp '{detail}' không được hỗ trợ.",
        "File type '{detail}' is not supported.",
        "Gửi tệp .xlsx, .xls, .ods hoặc .csv theo mẫu v1.",
        "Send an .xlsx, .xls, .ods or .csv file following template v1.",
    ),
    "FILE_TOO_LARGE": Message(
        "file",
        "error",
        "Tệp quá lớn ({detail}).",
        "The file is too large ({detail}).",
        "Chỉ gửi hai trang tính DonVi và NhanLuc theo mẫu v1, không kèm hình ảnh hay dữ liệu khác.",
        "Send only the sheets DonVi and NhanLuc of template v1, without pictures or other data.",
    ),
    "FILE_CONTENT_TOO_LARGE": Message(
        "file",
        "error",
        "Nội dung nén trong tệp lớn bất thường ({detail}); tệp không được mở.",
        "The file's compressed content is implausibly large ({detail}); it was not opened.",
        "Nhập số liệu vào tệp mẫu v1 rồi lưu lại bằng Excel và gửi lại.",
        "Enter the data in the template v1 file, save it in Excel and resend it.",
    ),
    "FILE_TOO_COMPLEX": Message(
        "file",
        "error",
        "Tệp quá phức tạp để đọc ({detail}): thường do có ô ở rất xa vùng dữ liệu "
        "(ví dụ ô XFD1048576) hoặc trang tính quá nhiều dòng, cột.",
        "The file is too complex to read ({detail}): usually a cell far away from the data "
        "(such as XFD1048576) or a sheet with too many rows or columns.",
        "Trong Excel nhấn Ctrl+End để tìm ô cuối cùng, xóa các dòng, cột thừa sau vùng dữ liệu, "
        "lưu lại .xlsx theo mẫu v1 rồi gửi lại.",
        "In Excel press Ctrl+End to find the last cell, delete the rows and columns after the "
        "data, save as .xlsx from template v1 and resend it.",
    ),
    "FILE_TIMEOUT": Message(
        "file",
        "error",
        "Đọc tệp mất quá thời gian cho phép ({detail}); tệp chưa được nạp.",
        "Reading the file took longer than allowed ({detail}); it was not loaded.",
        "Chỉ giữ hai trang tính DonVi và NhanLuc theo mẫu v1, xóa dữ liệu thừa, rồi gửi lại.",
        "Keep only the sheets DonVi and NhanLuc of template v1, delete other data, and resend.",
    ),
    "PARSER_FAILED": Message(
        "file",
        "error",
        "Trình đọc bảng tính gặp lỗi với tệp này ({detail}); tệp chưa được nạp.",
        "The spreadsheet reader failed on this file ({detail}); it was not loaded.",
        "Mở tệp bằng Excel, lưu lại dưới dạng .xlsx theo mẫu v1 rồi gửi lại; nếu vẫn lỗi, "
        "báo cho bộ phận vận hành.",
        "Open the file in Excel, save it as .xlsx from template v1 and resend it; if it fails "
        "again, tell the operators.",
    ),
    "CELL_TOO_LONG": Message(
        "file",
        "error",
        "Có ô dài quá {detail} ký tự; thường do thiếu dấu ngoặc kép đóng trong tệp CSV.",
        "A cell is longer than {detail} characters; usually a closing quote is missing in "
        "the CSV file.",
        'Mở tệp bằng Excel, kiểm tra các ô có dấu ngoặc kép ("), lưu lại rồi gửi lại.',
        'Open the file in Excel, check the cells with double quotes ("), save and resend.',
    ),
    "UNIT_VALUE_OUT_OF_RANGE": Message(
        "file",
        "error",
        "Giá trị '{value}' của '{label}' quá lớn.",
        "The value '{value}' of '{label}' is too large.",
        # the check gives the field's bound; the landing safety net (rows.py) has none to give
        "Ghi số thật của đơn vị, là số nguyên không âm{range_vi}.",
        "Write the unit's real number, a whole number ≥ 0{range_en}.",
    ),
    "VALUE_OUT_OF_RANGE": Message(
        "field",
        "error",
        "Giá trị '{value}' ở cột '{label}' quá lớn; người này vẫn được tính, nhưng '{label}'"
        " được ghi là chưa biết.",
        "The value '{value}' in column '{label}' is too large; the person still counts, but"
        " '{label}' is recorded as unknown.",
        "Ghi đúng số thật, là số nguyên không âm{range_vi}.",
        "Write the real number, a whole number ≥ 0{range_en}.",
    ),
    "SHEET_MISSING": Message(
        "file",
        "error",
        "Thiếu trang tính '{sheet}', và không trang nào có nội dung giống trang này.",
        "Sheet '{sheet}' is missing, and no other sheet holds what it should.",
        "Dùng tệp mẫu v1: giữ nguyên tên hai trang tính DonVi và NhanLuc.",
        "Use the template v1 file: keep the two sheets named DonVi and NhanLuc.",
    ),
    "SHEET_FOUND_BY_CONTENT": Message(
        "file",
        "warning",
        "Không có trang tính tên '{wanted}'; trang '{sheet}' có nội dung là {what_vi} nên được"
        " dùng thay.",
        "There is no sheet named '{wanted}'; sheet '{sheet}' holds {what_en}, so it was used"
        " instead.",
        "Nếu đúng thì không cần sửa; lần sau giữ tên trang tính '{wanted}' như trong mẫu.",
        "If that is right nothing needs fixing; next time keep the sheet name '{wanted}' of the"
        " template.",
    ),
    "SHEET_AMBIGUOUS": Message(
        "file",
        "error",
        "Không có trang tính tên '{wanted}', và nhiều trang có nội dung giống {what_vi}"
        " ({sheets}): không biết dùng trang nào.",
        "There is no sheet named '{wanted}', and several sheets look like {what_en} ({sheets}):"
        " it is unclear which to use.",
        "Đổi tên trang đúng thành '{wanted}' (hoặc xóa các trang thừa) rồi gửi lại.",
        "Rename the right sheet to '{wanted}' (or delete the others) and resend.",
    ),
    "HEADER_NOT_FOUND": Message(
        "file",
        "error",
        "Trang '{sheet}' không có dòng tiêu đề đủ các cột bắt buộc: thiếu cột {missing}.{seen_vi}",
        "Sheet '{sheet}' has no header row with every required column: {missing} missing.{seen_en}",
        "Ghi tiêu đề các cột còn thiếu đúng như mẫu: {missing}.",
        "Write the missing column headers as the template does: {missing}.",
    ),
    "REQUIRED_FIELD_MISSING": Message(
        "file",
        "error",
        "Thiếu thông tin bắt buộc '{label}'.",
        "Required field '{label}' is missing.",
        "Điền '{label}' vào cột {column} của trang {sheet}.",
        "Fill in '{label}' in column {column} of sheet {sheet}.",
    ),
    "UNIT_UNKNOWN": Message(
        "file",
        "error",
        "Mã đơn vị '{value}' không có trong danh mục đơn vị báo cáo kỳ {period}.",
        "Unit code '{value}' is not in the reporting-unit registry for period {period}.",
        "{suggest_vi}Ghi đúng mã đơn vị đã được cấp (ví dụ 502 cho UBND TP Tam Kỳ);"
        " liên hệ Sở để được cấp mã.",
        "{suggest_en}Write the unit code you were given (e.g. 502 for Tam Kỳ);"
        " ask the province office for it.",
    ),
    "UNIT_TYPE_INVALID": Message(
        "file",
        "error",
        "Loại đơn vị '{value}' không hợp lệ.",
        "Unit type '{value}' is not valid.",
        "Chọn một trong: Sở, ban, ngành · UBND cấp huyện · UBND cấp xã.",
        "Choose one of: Sở, ban, ngành · UBND cấp huyện · UBND cấp xã.",
    ),
    "UNIT_TYPE_MISMATCH": Message(
        "file",
        "error",
        "Loại đơn vị '{value}' không khớp với danh mục ('{expected}') của mã {unit_code}.",
        "Unit type '{value}' does not match the registry ('{expected}') for unit {unit_code}.",
        "Ghi Loại đơn vị là '{expected}', hoặc kiểm tra lại Mã đơn vị.",
        "Write '{expected}' as the unit type, or check the unit code.",
    ),
    "UNIT_NAME_MISMATCH": Message(
        "file",
        "warning",
        "Tên đơn vị '{value}' khác tên trong danh mục ('{expected}').",
        "Unit name '{value}' differs from the registry name ('{expected}').",
        "Nên ghi đúng tên '{expected}'.",
        "Prefer the registry name '{expected}'.",
    ),
    "PERIOD_INVALID": Message(
        "file",
        "error",
        "Kỳ báo cáo '{value}' không hợp lệ.",
        "Reporting period '{value}' is not valid.",
        "Ghi theo dạng: 2023, Năm 2023, 2023-H1, 6 tháng đầu năm 2023, 2023-H2.",
        "Write it as: 2023, Năm 2023, 2023-H1, 6 tháng đầu năm 2023, 2023-H2.",
    ),
    "PERIOD_NOT_COLLECTED": Message(
        "file",
        "error",
        "Tỉnh không thu báo cáo kỳ '{period_vi}': {why_vi}.",
        "The province does not collect reports for '{period_vi}': {why_en}.",
        "Ghi Kỳ báo cáo là một trong các kỳ tỉnh thu: {choices_vi}.",
        "Write one of the periods the province collects as the period: {choices_en}.",
    ),
    "PERIOD_NOT_BEGUN": Message(
        "file",
        "error",
        "Kỳ báo cáo '{period_vi}' chưa bắt đầu (kỳ từ {start} đến {end}).",
        "The reporting period '{period_vi}' has not begun yet (it runs from {start} to {end}).",
        "Kiểm tra lại Kỳ báo cáo; các kỳ đang nhận báo cáo gần nhất: {choices_vi}.",
        "Check the period; the latest periods being collected: {choices_en}.",
    ),
    "UNIT_FIELD_INVALID": Message(
        "file",
        "error",
        "Giá trị '{value}' của '{label}' không hợp lệ.",
        "Value '{value}' of '{label}' is not valid.",
        "{hint_vi}",
        "{hint_en}",
    ),
    "UNIT_FIELDS_DIFFER": Message(
        "file",
        "error",
        "Cột '{label}' có giá trị '{value}', khác với '{expected}' ở dòng {first_row}.",
        "Column '{label}' holds '{value}', unlike '{expected}' on row {first_row}.",
        "Mỗi tệp CSV chỉ của một đơn vị và một kỳ: ghi '{label}' giống nhau ở mọi dòng.",
        "A CSV file covers one unit and one period: write the same '{label}' on every row.",
    ),
    "COMMUNITY_TEAMS_NOT_COMMUNE": Message(
        "file",
        "error",
        "'{label}' = {value}, nhưng chỉ UBND cấp xã báo cáo Tổ công nghệ số cộng đồng.",
        "'{label}' = {value}, but only commune People's Committees report community digital teams.",
        "Để trống ô này (hoặc ghi 0); các xã tự báo cáo tổ của mình.",
        "Leave this cell blank (or write 0); communes report their own teams.",
    ),
    "LEGACY_ENCODING": Message(
        "file",
        "warning",
        "Văn bản dùng bảng mã cũ {value}; {count} ô đã được chuyển sang Unicode.",
        "Text uses the old {value} font encoding; {cells_en} converted to Unicode.",
        "Lần sau hãy gõ bằng bảng mã Unicode (phông Times New Roman, Arial).",
        "Next time type in Unicode (fonts such as Times New Roman or Arial).",
    ),
    "ROW_FIELD_MISSING": Message(
        "field",
        "error",
        "Thiếu '{label}'; người này vẫn được tính, nhưng '{label}' được ghi là chưa biết.",
        "'{label}' is missing; the person still counts, but '{label}' is recorded as unknown.",
        "Điền '{label}' cho người này.",
        "Fill in '{label}' for this person.",
    ),
    "ROW_FIELD_INVALID": Message(
        "field",
        "error",
        "Giá trị '{value}' của cột '{label}' không hợp lệ; người này vẫn được tính, nhưng"
        " '{label}' được ghi là chưa biết.",
        "Value '{value}' in column '{label}' is not valid; the person still counts, but"
        " '{label}' is recorded as unknown.",
        "{hint_vi}",
        "{hint_en}",
    ),
    "BIRTH_YEAR_OUT_OF_RANGE": Message(
        "field",
        "error",
        "Năm sinh {value} không hợp lý; người này vẫn được tính, nhưng năm sinh được ghi là"
        " chưa biết.",
        "Birth year {value} is not plausible; the person still counts, but the birth year is"
        " recorded as unknown.",
        "Ghi năm sinh 4 chữ số, từ {min_year} đến {max_year}.",
        "Write a 4-digit birth year from {min_year} to {max_year}.",
    ),
    "EXTRA_COLUMN": Message(
        "file",
        "warning",
        "Cột '{value}' không thuộc mẫu; dữ liệu được giữ lại nhưng không dùng.{closest_vi}",
        "Column '{value}' is not in the template; it is kept but not used.{closest_en}",
        "Nếu cột này là một cột của mẫu, hãy ghi tiêu đề đúng như mẫu; nếu không, có thể xóa"
        " cột ở lần gửi sau.",
        "If it is one of the template's columns, write its header as the template does;"
        " otherwise you may delete it next time.",
    ),
    "HEADER_UNDERSTOOD": Message(
        "file",
        "warning",
        "{what_vi} '{value}' được hiểu là '{label}'.",
        "{what_en} '{value}' was read as '{label}'.",
        "Nếu đúng thì không cần sửa; lần sau nên ghi đúng như mẫu: '{label}'.",
        "If that is right nothing needs fixing; next time write it as the template does:"
        " '{label}'.",
    ),
    "VALUE_UNDERSTOOD": Message(
        "file",
        "warning",
        "Giá trị '{value}' của '{label}' được hiểu là '{choice}' ({how_vi}){rows_vi}.",
        "The value '{value}' of '{label}' was read as '{choice}' ({how_en}){rows_en}.",
        "{value} → ghi {choice}. Nếu đúng như vậy thì không cần gửi lại; lần sau nên ghi đúng"
        " như mẫu.",
        "{value} → write {choice}. If that is right nothing needs resending; next time write"
        " it as the template does.",
    ),
    "HEADER_AMBIGUOUS": Message(
        "file",
        "warning",
        "{what_vi} '{value}' có thể là {options_vi}; không tự đoán nên {what_lower_vi} này"
        " không được dùng.",
        "{what_en} '{value}' could be {options_en}; it was not guessed, so it is not used.",
        "Ghi lại đúng một tiêu đề của mẫu: {options_vi}.",
        "Write exactly one of the template's labels: {options_en}.",
    ),
    "HEADER_DUPLICATE": Message(
        "file",
        "error",
        "{what_vi} '{label}' xuất hiện hai lần ({places_vi}): không biết dùng giá trị nào.",
        "{what_en} '{label}' appears twice ({places_en}): it is unclear which one to use.",
        "Giữ một {what_lower_vi} '{label}', xóa hoặc đổi tên {what_lower_vi} kia.",
        "Keep one '{label}' and delete or rename the other.",
    ),
    "UNIT_LABEL_UNKNOWN": Message(
        "file",
        "warning",
        "Mục '{value}' ở trang {sheet} không thuộc mẫu nên không được dùng.{closest_vi}",
        "Label '{value}' on sheet {sheet} is not in the template, so it is not used.{closest_en}",
        "Nếu đây là một mục của mẫu, hãy sửa chữ ở cột A cho đúng như mẫu{closest_fix_vi}.",
        "If it is one of the template's items, write its label as the template does"
        "{closest_fix_en}.",
    ),
    "REQUIRED_LABEL_NOT_FOUND": Message(
        "file",
        "error",
        "Không tìm thấy mục bắt buộc '{label}' ở trang {sheet}.{near_vi}",
        "Required item '{label}' was not found on sheet {sheet}.{near_en}",
        "{fix_vi}",
        "{fix_en}",
    ),
    "OPTIONAL_COLUMN_MISSING": Message(
        "file",
        "warning",
        "Tệp không có {what_lower_vi} '{label}' nên giá trị này được ghi là chưa biết (không"
        " tính là 0 hay Không).{unknown_vi}",
        "The file has no {what_lower_en} '{label}', so it is recorded as unknown (not as 0 or"
        " No).{unknown_en}",
        "Thêm {what_lower_vi} '{label}' như trong mẫu, điền đầy đủ rồi gửi lại tệp.",
        "Add the {what_lower_en} '{label}' as in the template, fill it in and resend the file.",
    ),
    "CONTROL_CHARACTERS_REMOVED": Message(
        "file",
        "warning",
        "Tệp có {count} ô chứa ký tự điều khiển không nhìn thấy (đầu tiên: {first}); các ký tự"
        " này đã được xóa.",
        "Invisible control characters were removed from {cells} (first: {first}).",
        "Kiểm tra lại các ô này; lần sau gõ trực tiếp thay vì dán từ phần mềm khác.",
        "Check these cells; next time type the text instead of pasting it from other software.",
    ),
    "ROW_TEXT_TOO_LONG": Message(
        "field",
        "error",
        "'{label}' dài {length} ký tự, quá giới hạn {max_chars} ký tự; người này vẫn được"
        " tính, nhưng '{label}' được ghi là chưa biết.",
        "'{label}' is {length} characters long, over the {max_chars}-character limit; the"
        " person still counts, but '{label}' is recorded as unknown.",
        "Ghi '{label}' ngắn gọn, không quá {max_chars} ký tự.",
        "Write '{label}' in at most {max_chars} characters.",
    ),
    "ROW_NAME_MISSING": Message(
        "row",
        "error",
        "Dòng này có số liệu nhưng không ghi họ và tên: không biết là ai nên dòng không được tính.",
        "This row has data but no full name: it names no one, so it is not counted.",
        "Ghi họ và tên người này ở cột 'Họ và tên', hoặc xóa dòng nếu không phải một người.",
        "Write the person's full name in the column 'Họ và tên', or delete the row if it is"
        " not a person.",
    ),
    "ROW_NAME_INVALID": Message(
        "row",
        "error",
        "Họ và tên '{value}' không phải tên người (không có chữ cái{detail_vi}): dòng không được"
        " tính.",
        "The full name '{value}' is not a person's name (no letters{detail_en}): the row is"
        " not counted.",
        "Ghi họ và tên thật của người này, hoặc xóa dòng nếu không phải một người.",
        "Write the person's real full name, or delete the row if it is not a person.",
    ),
    "ROW_NAME_TOO_LONG": Message(
        "row",
        "error",
        "Họ và tên dài {length} ký tự, quá giới hạn {max_chars} ký tự: không phải tên một người"
        " nên dòng không được tính.",
        "The full name is {length} characters long, over the {max_chars}-character limit: not"
        " one person's name, so the row is not counted.",
        "Ghi họ và tên của một người, không quá {max_chars} ký tự.",
        "Write one person's full name, in at most {max_chars} characters.",
    ),
    "UNIT_TEXT_TOO_LONG": Message(
        "file",
        "error",
        "'{label}' dài {length} ký tự, quá giới hạn {max_chars} ký tự.",
        "'{label}' is {length} characters long, over the {max_chars}-character limit.",
        "Ghi '{label}' ngắn gọn, không quá {max_chars} ký tự.",
        "Write '{label}' in at most {max_chars} characters.",
    ),
}


# Raised while landing a file rather than by its checks: a reader that did not return (time-out,
# crash, memory), sheet and cell bounds, values a typed column cannot hold. Each has a case in
# tests/ingest/test_hostile_*.py.
LANDING_CODES = frozenset(
    {
        "FILE_TOO_COMPLEX",
        "FILE_TIMEOUT",
        "PARSER_FAILED",
        "CELL_TOO_LONG",
        "UNIT_VALUE_OUT_OF_RANGE",
        "VALUE_OUT_OF_RANGE",
    }
)


@dataclass(frozen=True)
class Problem:
    """One problem: where it is (sheet, row, column), what was found, and its code."""

    code: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    # whose row it is (a person row's name as written): "dòng 3 – Đoàn Mỹ Trang"
    person: str | None = None

    # the catalogue the code is read in, and the words naming a place (vi, en)
    catalogue: ClassVar[Mapping[str, Message]] = MESSAGES
    places: ClassVar[tuple[tuple[str, str, str], tuple[str, str, str]]] = (
        ("trang", "dòng", "cột"),
        ("sheet", "row", "column"),
    )

    def __post_init__(self) -> None:
        # a problem quotes what it found, not all of it: a 10 MB cell is named, not repeated
        if self.value is not None and len(self.value) > MAX_VALUE_CHARS:
            shown = f"{self.value[:MAX_VALUE_CHARS]}… ({len(self.value)} ký tự / characters)"
            object.__setattr__(self, "value", shown)

    @property
    def severity(self) -> Severity:
        return self.catalogue[self.code].severity

    @property
    def scope(self) -> Scope:
        return self.catalogue[self.code].scope

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def values(self) -> dict[str, str]:
        """What the message templates are formatted with."""
        return {"value": self.value or "", "sheet": self.sheet or "", **self.params}

    def message(self, lang: str = "vi") -> str:
        msg = self.catalogue[self.code]
        text = msg.en if lang == "en" else msg.vi
        return text.format_map(_Default(self.values()))

    def fix(self, lang: str = "vi") -> str:
        msg = self.catalogue[self.code]
        text = msg.fix_en if lang == "en" else msg.fix_vi
        return text.format_map(_Default(self.values()))

    def location(self, lang: str = "vi") -> str:
        sheet, row, column = self.places[1] if lang == "en" else self.places[0]
        parts = []
        if self.sheet:
            parts.append(f"{sheet} {self.sheet}")
        if self.row is not None:
            whose = f" – {self.person}" if self.person else ""
            parts.append(f"{row} {self.row}{whose}")
        if self.column:
            parts.append(f"{column} {self.column}")
        return ", ".join(parts)


class _Default(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""
