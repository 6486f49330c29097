"""Names every layer shares: a landed file's status and the contract's enumerations.

The contract's full field list lives in ``ingest.contract``; the enumerations are here because
the quality suites check raw values against them too.
"""

from __future__ import annotations

from enum import StrEnum

TEMPLATE_VERSION = "v1"

UNIT_TYPES = ("Sở, ban, ngành", "UBND cấp huyện", "UBND cấp xã")
UNIT_LEVELS = ("province", "district", "commune")
YES_NO = ("Có", "Không")
GENDERS = ("Nam", "Nữ")
ASSIGNMENTS = ("Chuyên trách", "Kiêm nhiệm")
EDUCATION_LEVELS = ("Trung cấp", "Cao đẳng", "Đại học", "Thạc sĩ", "Tiến sĩ", "Khác")
FIELDS_OF_STUDY = ("CNTT", "An toàn thông tin", "Điện tử - Viễn thông", "Khác")

# The one birth-year rule: 1940 … (year of the period − 16). The check, the template's dropdown
# and the raw-data quality suite all take it from here.
MIN_BIRTH_YEAR = 1940
MIN_AGE = 16


def birth_year_range(period_year: int) -> tuple[int, int]:
    """Plausible birth years of a person reported for a period of ``period_year``."""
    return MIN_BIRTH_YEAR, period_year - MIN_AGE


class FileStatus(StrEnum):
    """What became of one landed file (submission or DTI publication), as stored in ``audit``."""

    ACCEPTED = "accepted"
    PARTIAL = "partial"  # loaded, with some rows held back in quarantine
    REJECTED = "rejected"
    DUPLICATE = "duplicate"  # the same bytes were already loaded under another name

    @property
    def counts(self) -> bool:
        """Whether the file's rows reached ``raw``."""
        return self in (FileStatus.ACCEPTED, FileStatus.PARTIAL)
