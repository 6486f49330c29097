"""Named checks on DTI publications: stable codes, severities, messages in Vietnamese and English.

``error`` at file scope rejects the publication; ``error`` at row scope quarantines the row;
``warning`` and ``info`` are recorded and never block. The problem type is the submissions'
(:class:`ingest.problems.Problem`), read in this catalogue.
"""

from __future__ import annotations

from typing import ClassVar

from ingest.problems import Message, Problem

CHECKS: dict[str, Message] = {
    "FILE_UNREADABLE": Message(
        "file",
        "error",
        "Không đọc được tệp ({detail}).",
        "The file cannot be read ({detail}).",
        "Lưu lại trang/bảng tính (HTML, .xlsx hoặc .csv UTF-8) rồi gửi lại.",
        "Save the page or sheet again (HTML, .xlsx or UTF-8 .csv) and resend it.",
    ),
    "TABLE_NOT_FOUND": Message(
        "file",
        "error",
        "Không tìm thấy bảng xếp hạng DTI (cần cột tỉnh/thành phố và ít nhất một cột điểm/hạng).",
        "No DTI ranking table found (a province column and a score or rank column are needed).",
        "Giữ nguyên dòng tiêu đề của bảng 'Xếp hạng' hoặc 'Xếp hạng chi tiết'.",
        "Keep the header row of the 'Xếp hạng' or 'Xếp hạng chi tiết' table.",
    ),
    "YEAR_MISSING": Message(
        "file",
        "error",
        "Không xác định được năm đánh giá DTI của tệp.",
        "The DTI year of the file cannot be determined.",
        "Ghi năm vào tiêu đề ('Xếp hạng DTI năm 2022'), một dòng 'Năm: 2022', tệp kèm "
        "<tên tệp>.meta.json, hoặc đặt tên tệp dti_2022_63.<đuôi>.",
        "State the year in the title ('DTI 2022'), a 'Year: 2022' row, a <file>.meta.json "
        "sidecar, or name the file dti_2022_63.<ext>.",
    ),
    "BASIS_MISSING": Message(
        "file",
        "error",
        "Không xác định được bảng xếp hạng trên 63 hay 34 tỉnh, thành phố.",
        "Whether the table ranks 63 or 34 provinces cannot be determined.",
        "Ghi '63 tỉnh, thành phố' hoặc '34 tỉnh, thành phố' vào tiêu đề, một dòng 'Cơ sở xếp "
        "hạng: 63', tệp kèm .meta.json, hạng dạng 31/63, hoặc tên tệp dti_2022_63.<đuôi>.",
        "State '63 provinces' or '34 provinces' in the title, a 'Basis: 63' row, a .meta.json "
        "sidecar, ranks printed as 31/63, or name the file dti_2022_63.<ext>.",
    ),
    "METADATA_CONFLICT": Message(
        "file",
        "error",
        "Tệp ghi nhiều giá trị khác nhau cho '{label}': {detail}.",
        "The file gives different values for '{label}': {detail}.",
        "Mỗi tệp chỉ chứa một bảng công bố (một năm, một cơ sở xếp hạng); tách hoặc sửa tệp.",
        "One file holds one publication (one year, one basis): split or correct the file.",
    ),
    "METADATA_INVALID": Message(
        "file",
        "error",
        "Giá trị '{value}' của '{label}' không hợp lệ ({detail}).",
        "Value '{value}' of '{label}' is not valid ({detail}).",
        "Năm từ 2020 trở đi; cơ sở xếp hạng là 63 hoặc 34.",
        "The year is 2020 or later; the basis is 63 or 34.",
    ),
    "PARTIAL_TABLE": Message(
        "file",
        "info",
        "Bảng chỉ có {n_rows}/{basis} tỉnh, thành phố: được nạp và đánh dấu là bảng một phần.",
        "The table lists {n_rows} of {basis} provinces: loaded and marked partial.",
        "Không cần làm gì; gửi bảng đầy đủ khi có.",
        "Nothing to do; send the full table when available.",
    ),
    "EXTRA_COLUMN": Message(
        "file",
        "info",
        "Cột '{value}' không thuộc mẫu DTI; bỏ qua.",
        "Column '{value}' is not part of the DTI contract; ignored.",
        "Không cần làm gì.",
        "Nothing to do.",
    ),
    "PROVINCE_MISSING": Message(
        "row",
        "error",
        "Dòng không có tên tỉnh, thành phố.",
        "The row has no province name.",
        "Ghi tên tỉnh, thành phố cho dòng này.",
        "Fill in the province name on this row.",
    ),
    "PROVINCE_UNRESOLVED": Message(
        "row",
        "error",
        "Không xác định được tỉnh, thành phố '{value}' trong danh sách {basis} tỉnh, thành phố"
        "{merged_vi}. Gần nhất: {candidates}.",
        "Province '{value}' is not in the {basis}-province list{merged_en}. Closest: {candidates}.",
        "Sửa tên theo danh sách chính thức (ví dụ '{first}'), hoặc thêm tên lịch sử vào "
        "ingest/dti/reference/province_aliases.csv.",
        "Use the official name (e.g. '{first}'), or add the historical name to "
        "ingest/dti/reference/province_aliases.csv.",
    ),
    "PROVINCE_DUPLICATE": Message(
        "row",
        "error",
        "{province} xuất hiện {count} lần trong cùng một bảng ({year}, {basis} tỉnh).",
        "{province} appears {count} times in one table ({year}, basis {basis}).",
        "Mỗi tỉnh, thành phố chỉ có một dòng; xóa dòng thừa rồi gửi lại.",
        "Keep one row per province; delete the extra row and resend.",
    ),
    "ROW_NO_VALUES": Message(
        "row",
        "error",
        "Dòng '{value}' không có điểm hay hạng nào.",
        "Row '{value}' has neither a score nor a rank.",
        "Điền điểm DTI hoặc hạng, hoặc xóa dòng.",
        "Fill in the DTI score or rank, or delete the row.",
    ),
    "VALUE_CONFLICT": Message(
        "row",
        "error",
        "Hai bảng ghi '{label}' khác nhau cho {province}: {detail}.",
        "The two tables give different '{label}' for {province}: {detail}.",
        "Sửa cho hai bảng 'Xếp hạng' và 'Xếp hạng chi tiết' thống nhất.",
        "Make the 'Xếp hạng' and 'Xếp hạng chi tiết' tables agree.",
    ),
    "SCORE_INVALID": Message(
        "row",
        "error",
        "Giá trị '{value}' của cột '{label}' không phải là số.",
        "Value '{value}' in column '{label}' is not a number.",
        "Ghi điểm dạng 0,5808 hoặc 0.5808.",
        "Write scores as 0.5808 or 0,5808.",
    ),
    "SCORE_OUT_OF_RANGE": Message(
        "row",
        "error",
        "Điểm '{label}' = {value} nằm ngoài khoảng [0, 1].",
        "Score '{label}' = {value} is outside [0, 1].",
        "Điểm DTI theo thang 0–1 (ví dụ 0,5808, không phải 58,08).",
        "DTI scores are on a 0–1 scale (0.5808, not 58.08).",
    ),
    "RANK_INVALID": Message(
        "row",
        "error",
        "Hạng '{value}' của cột '{label}' không hợp lệ.",
        "Rank '{value}' in column '{label}' is not valid.",
        "Ghi hạng dạng 31, 31/63 hoặc Hạng 31.",
        "Write ranks as 31, 31/63 or Hạng 31.",
    ),
    "RANK_OUT_OF_RANGE": Message(
        "row",
        "error",
        "Hạng '{label}' = {value} nằm ngoài 1..{basis}.",
        "Rank '{label}' = {value} is outside 1..{basis}.",
        "Kiểm tra lại hạng trong bảng gốc.",
        "Check the rank against the published table.",
    ),
    "RANK_SEQUENCE": Message(
        "row",
        "error",
        "Hạng {value} không theo cách xếp hạng đồng hạng (sau {count} tỉnh đứng trước phải là "
        "hạng {expected}).",
        "Rank {value} breaks competition ranking (after {count} provinces ahead it must be "
        "{expected}).",
        "Tỉnh đồng hạng giữ cùng hạng, tỉnh kế tiếp nhảy hạng (15, 15, 17).",
        "Tied provinces share a rank and the next one skips (15, 15, 17).",
    ),
    "RANK_SCORE_DISORDER": Message(
        "row",
        "error",
        "Hạng không khớp với điểm DTI: {province} ({score}, hạng {rank}) so với {other} "
        "({other_score}, hạng {other_rank}).",
        "Rank disagrees with the DTI score: {province} ({score}, rank {rank}) vs {other} "
        "({other_score}, rank {other_rank}).",
        "Kiểm tra lại điểm và hạng của hai dòng này trong bảng gốc.",
        "Check both rows' score and rank against the published table.",
    ),
    "RANK_CONTRADICTS_CURRENT": Message(
        "row",
        "error",
        "Hạng '{label}' của {province} ({score}, hạng {rank}) mâu thuẫn với bảng DTI {year} "
        "({basis} tỉnh) đang dùng: {other} ({other_score}, hạng {other_rank}).",
        "Rank '{label}' of {province} ({score}, rank {rank}) contradicts the current DTI {year} "
        "table ({basis} provinces): {other} ({other_score}, rank {other_rank}).",
        "Bảng đính chính một phần chỉ thay các tỉnh nó liệt kê: kiểm tra điểm và hạng của dòng "
        "này; nếu hạng của các tỉnh khác cũng đổi, gửi lại bảng đầy đủ {basis} tỉnh.",
        "A partial re-publication replaces only the provinces it lists: check this row's score "
        "and rank; if other provinces' ranks changed too, send the full {basis}-province table.",
    ),
    "RANK_TIE_SPLIT": Message(
        "row",
        "warning",
        "{province} và {other} cùng điểm {score} nhưng khác hạng ({rank}, {other_rank}); "
        "có thể do làm tròn điểm.",
        "{province} and {other} share the score {score} but not the rank ({rank}, "
        "{other_rank}); probably rounding.",
        "Không cần làm gì nếu bảng gốc ghi như vậy.",
        "Nothing to do if the published table says so.",
    ),
    "FORMULA_RESIDUAL": Message(
        "row",
        "warning",
        "DTI {year} của {province} = {dti}, tổng có trọng số 8 chỉ số chính theo QĐ 922 = "
        "{expected} (lệch {residual}, vượt ±0,0001).",
        "DTI {year} of {province} = {dti}; the QĐ 922 weighted sum of the 8 main indices = "
        "{expected} (residual {residual}, beyond ±0.0001).",
        "Đối chiếu lại điểm DTI và 8 chỉ số chính với bảng gốc.",
        "Check the DTI and the 8 main indices against the published table.",
    ),
}


class DtiProblem(Problem):
    """A finding of a named DTI check: ``sheet`` is the table it is in (a sheet's name or a
    table's caption); a value's column is the ``label`` its messages name."""

    catalogue: ClassVar = CHECKS
    places: ClassVar = (("bảng", "dòng", "cột"), ("table", "row", "column"))

    def values(self) -> dict[str, str]:
        return {"label": self.column or "", **super().values()}
