"""Generate demo submissions and a manifest of what the pipeline must conclude from them.

People are synthetic: names composed from common Vietnamese family, middle and given names.
Everything is deterministic for a given seed. The manifest is written outside the inbox.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass
from pathlib import Path

from ingest.contract import ASSIGNMENTS
from ingest.demo.workbook import write_submission_xlsx
from ingest.registry import ReportingUnit, build_registry
from ingest.values import period_end_date, period_year

FAMILY = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Huỳnh",
    "Hoàng",
    "Phan",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
)
MIDDLE_MALE = ("Văn", "Hữu", "Đức", "Công", "Minh", "Quang", "Thanh", "Xuân")
MIDDLE_FEMALE = ("Thị", "Ngọc", "Thu", "Thanh", "Mỹ", "Hồng", "Kim")
GIVEN_MALE = (
    "Anh",
    "Bình",
    "Cường",
    "Dũng",
    "Hải",
    "Hùng",
    "Khoa",
    "Long",
    "Nam",
    "Phúc",
    "Quân",
    "Sơn",
    "Tâm",
    "Thắng",
    "Trung",
    "Tuấn",
    "Việt",
    "Vinh",
)
GIVEN_FEMALE = (
    "Anh",
    "Chi",
    "Diệp",
    "Hà",
    "Hạnh",
    "Hoa",
    "Hương",
    "Lan",
    "Linh",
    "Mai",
    "Ngân",
    "Nhung",
    "Oanh",
    "Phương",
    "Thảo",
    "Trang",
    "Vy",
    "Yến",
)

DEFAULT_PERIODS = ("2023", "2024-H1", "2024-H2")


@dataclass(frozen=True)
class DemoFile:
    path: Path
    unit_id: str
    period_id: str
    expected_status: str
    n_staff: int
    n_dedicated: int
    n_concurrent: int


def synthetic_name(rng: random.Random) -> tuple[str, str]:
    """A composed name and its gender; never a real person's record."""
    if rng.random() < 0.55:
        parts = (rng.choice(FAMILY), rng.choice(MIDDLE_MALE), rng.choice(GIVEN_MALE))
        return " ".join(parts), "Nam"
    parts = (rng.choice(FAMILY), rng.choice(MIDDLE_FEMALE), rng.choice(GIVEN_FEMALE))
    return " ".join(parts), "Nữ"


def person_rows(
    rng: random.Random, n_dedicated: int, n_concurrent: int, period: str
) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    assignments = [ASSIGNMENTS[0]] * n_dedicated + [ASSIGNMENTS[1]] * n_concurrent
    year = period_year(period)
    for index, assignment in enumerate(assignments, start=1):
        name, gender = synthetic_name(rng)
        rows.append(
            {
                "row_no": index,
                "full_name": name,
                "birth_year": rng.randint(year - 55, year - 23),
                "gender": gender,
                "position_title": rng.choice(("Chuyên viên", "Phó Trưởng phòng", "Trưởng phòng")),
                "job_position": "Chuyên viên về công nghệ thông tin",
                "assignment": assignment,
                "education_level": rng.choices(("Đại học", "Thạc sĩ", "Cao đẳng"), (80, 15, 5))[0],
                "field_of_study": rng.choices(("CNTT", "An toàn thông tin", "Khác"), (85, 10, 5))[
                    0
                ],
                "trainings_in_period": rng.choice((0, 1, 1, 2, 3)),
                "dx_network_member": rng.choice(("Có", "Có", "Có", "Không")),
                "incident_response_member": rng.choice(("Có", "Không", "Không")),
                "platform_access": rng.choice(("Có", "Có", "Có", "Không")),
            }
        )
    return rows


def _active(
    units: list[ReportingUnit], period: str, levels: tuple[str, ...]
) -> list[ReportingUnit]:
    on = period_end_date(period)
    return [u for u in units if u.unit_level in levels and u.is_active(on)]


def generate_demo(
    inbox: Path,
    manifest_path: Path,
    *,
    seed: int = 2023,
    periods: tuple[str, ...] = DEFAULT_PERIODS,
    levels: tuple[str, ...] = ("province", "district"),
) -> list[DemoFile]:
    """Write one clean template-v1 workbook per active unit and period; return the manifest."""
    rng = random.Random(seed)
    units = build_registry()
    files: list[DemoFile] = []
    for period in periods:
        for unit in _active(units, period, levels):
            n_dedicated = rng.randint(0, 3) if unit.unit_level == "province" else rng.randint(1, 2)
            n_concurrent = rng.randint(0, 2)
            staff = person_rows(rng, n_dedicated, n_concurrent, period)
            end = period_end_date(period)
            header = {
                "unit_code": unit.unit_id,
                "unit_name": unit.unit_name,
                "unit_type": unit.unit_type,
                "period": period,
                "has_dx_focal_point": "Có" if rng.random() < 0.85 else "Không",
                "focal_point_decision_ref": f"{rng.randint(10, 999)}/QĐ-UBND",
                "prepared_by": synthetic_name(rng)[0],
                "submitted_on": (end + dt.timedelta(days=rng.randint(1, 20))).strftime("%d/%m/%Y"),
            }
            path = inbox / period / f"{unit.unit_id}_{period}.xlsx"
            write_submission_xlsx(path, header, staff)
            files.append(
                DemoFile(
                    path, unit.unit_id, period, "accepted", len(staff), n_dedicated, n_concurrent
                )
            )
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    manifest = {
        "seed": seed,
        "files": [
            {
                "file": str(f.path.relative_to(inbox)),
                "unit_id": f.unit_id,
                "period_id": f.period_id,
                "expected_status": f.expected_status,
                "n_staff": f.n_staff,
                "n_dedicated": f.n_dedicated,
                "n_concurrent": f.n_concurrent,
            }
            for f in files
        ],
    }
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return files
