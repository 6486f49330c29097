"""The same seed gives byte-identical files, whatever the number of worker processes."""

from __future__ import annotations

from pathlib import Path

from ingest.demo.generate import generate_demo

PERIODS = ("2023", "2025-H2")  # Quảng Nam and the new Đà Nẵng


def _generate(root: Path, seed: int, workers: int) -> dict[str, bytes]:
    inbox = root / "inbox"
    generate_demo(
        inbox, root / "manifest.json", seed=seed, periods=PERIODS, mess_share=0.5, workers=workers
    )
    files = {str(p.relative_to(inbox)): p.read_bytes() for p in inbox.rglob("*") if p.is_file()}
    files["manifest.json"] = (root / "manifest.json").read_bytes()
    return files


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    first = _generate(tmp_path / "a", seed=11, workers=1)
    second = _generate(tmp_path / "b", seed=11, workers=2)
    assert first.keys() == second.keys()
    assert {name for name in first if first[name] != second[name]} == set()
    suffixes = {Path(name).suffix for name in first}
    assert {".xlsx", ".xls", ".ods"} <= suffixes


def test_another_seed_other_people(tmp_path: Path) -> None:
    first = _generate(tmp_path / "a", seed=11, workers=2)
    other = _generate(tmp_path / "b", seed=12, workers=2)
    common = first.keys() & other.keys()
    assert sum(first[name] != other[name] for name in common) > len(common) // 2
