"""Synthetic people: names composed from common Vietnamese family, middle and given names.

No name here belongs to a real person's record; combinations are drawn at random.
"""

from __future__ import annotations

import random

FAMILY = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Phan", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ",
    "Ngô", "Dương", "Lý", "Trương", "Đoàn", "Lương", "Mai", "Tạ",
)  # fmt: skip
MIDDLE_MALE = ("Văn", "Hữu", "Đức", "Công", "Minh", "Quang", "Thanh", "Xuân", "Ngọc", "Tấn")
MIDDLE_FEMALE = ("Thị", "Ngọc", "Thu", "Thanh", "Mỹ", "Hồng", "Kim", "Thùy", "Phương")
GIVEN_MALE = (
    "Anh", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khoa", "Long", "Nam", "Phúc", "Quân", "Sơn",
    "Tâm", "Thắng", "Trung", "Tuấn", "Việt", "Vinh", "Lộc", "Huy", "Đạt", "Nhân",
)  # fmt: skip
GIVEN_FEMALE = (
    "Anh", "Chi", "Diệp", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "Ngân", "Nhung",
    "Oanh", "Phương", "Thảo", "Trang", "Vy", "Yến", "Uyên", "Duyên", "Nga",
)  # fmt: skip


def synthetic_name(rng: random.Random) -> tuple[str, str]:
    """A composed name and its gender (``Nam``/``Nữ``)."""
    if rng.random() < 0.55:
        parts = (rng.choice(FAMILY), rng.choice(MIDDLE_MALE), rng.choice(GIVEN_MALE))
        return " ".join(parts), "Nam"
    parts = (rng.choice(FAMILY), rng.choice(MIDDLE_FEMALE), rng.choice(GIVEN_FEMALE))
    return " ".join(parts), "Nữ"
