"""The DTI what-if where people look: the scorecard's "Cần làm gì", the reverse, the CLI."""

from __future__ import annotations

import pytest

from core.settings import Settings
from pipeline.cli import main as dxwh
from tests.warehouse.sample_marts import build_sample_marts
from warehouse.publish import publish
from warehouse.report.render import write_scorecard
from warehouse.report.whatif import COMPUTED_NOTE, reverse_whatif
from warehouse.sql import connect_published


def _vn(value: float) -> str:
    return f"{value:.4f}".replace(".", ",")


def _next_band(settings: Settings) -> tuple[float, int, float, float]:
    with connect_published(settings.published_db) as con:
        row = con.execute(
            "select dti_score, target_rank, target_score, dti_gain_needed "
            "from marts.fct_dti_whatif_ranks "
            "where year = 2024 and basis = 34 and province_id = '48' and is_next_band"
        ).fetchone()
    assert row is not None
    return row


def test_a_gain_in_government_activity_gives_score_and_rank(demo_warehouse: Settings) -> None:
    with connect_published(demo_warehouse.published_db) as con:
        result = reverse_whatif(con, 2024, 34, "48", {"hoat_dong_chinh_quyen_so": 0.05})
        (weight,) = con.execute(
            "select weight from marts.fct_dti_method_weights "
            "where year = 2024 and basis = 34 and component = 'hoat_dong_chinh_quyen_so'"
        ).fetchone() or (None,)
        others = [
            s
            for (s,) in con.execute(
                "select score from marts.fct_dti_scores where component = 'dti' "
                "and is_published and year = 2024 and basis = 34 and province_id <> '48'"
            ).fetchall()
        ]
    assert weight is not None
    assert result.dti_score == 0.7069 and result.current_rank == 17
    assert result.new_score == round(0.7069 + weight * 0.05, 4)
    assert result.new_rank == 1 + sum(1 for s in others if s > result.new_score)
    assert result.new_rank < 17 and result.n_ranked == 34
    assert result.weight_source == "least_squares" and not result.capped


def test_an_index_never_rises_above_one(demo_warehouse: Settings) -> None:
    with connect_published(demo_warehouse.published_db) as con:
        (score, weight) = con.execute(
            "select index_score, weight from marts.fct_dti_whatif_indices "
            "where year = 2022 and basis = 63 and province_id = '48' and component = 'nhan_thuc_so'"
        ).fetchone() or (None, None)
        result = reverse_whatif(con, 2022, 63, "48", {"nhan_thuc_so": 0.5})
    assert score == 1.0 and weight == 0.1  # TP. Đà Nẵng's published 2022 awareness index
    assert result.capped == ("nhan_thuc_so",) and result.new_score == result.dti_score


def test_an_unknown_index_or_a_partial_table_is_refused(demo_warehouse: Settings) -> None:
    with connect_published(demo_warehouse.published_db) as con:
        with pytest.raises(ValueError, match="không có chỉ số chính"):
            reverse_whatif(con, 2024, 34, "48", {"chinh_quyen_so": 0.05})
        with pytest.raises(ValueError, match="không có bảng xếp hạng đầy đủ"):
            reverse_whatif(con, 2023, 63, "48", {"nhan_thuc_so": 0.05})


def test_the_scorecard_says_what_to_do(demo_warehouse: Settings) -> None:
    index = demo_warehouse.reports_dir / "scorecard" / "index.html"
    html = index.read_text(encoding="utf-8")
    own, target_rank, target, gain = _next_band(demo_warehouse)

    section = html[html.index('id="can-lam-gi"') :]
    block = section[section.index('id="whatif-2024-34-48"') :]
    assert COMPUTED_NOTE in section
    assert f"Để lên hạng {target_rank}, cần tăng DTI thêm <strong>{_vn(gain)}</strong>" in block
    assert f"{_vn(target)} − {_vn(own)} = {_vn(gain)}" in block
    assert (index.parent / "dti_whatif_2024_34_48.png").is_file()
    assert 'src="dti_whatif_2024_34_48.png"' in block
    assert "bình phương tối thiểu" in block  # QĐ 405 publishes no weights: say they are fitted


def test_dxwh_whatif_answers_both_ways(
    demo_warehouse: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DXWH_HOME", str(demo_warehouse.home))
    _own, target_rank, _target, gain = _next_band(demo_warehouse)

    assert dxwh(["whatif", "--year", "2024", "--basis", "34", "--province", "48"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(COMPUTED_NOTE)
    assert f"Lên hạng {target_rank}: cần tăng DTI {_vn(gain)} điểm" in out

    args = ["whatif", "--year", "2024", "--basis", "34", "--province", "48"]
    assert dxwh([*args, "--index", "hoat_dong_chinh_quyen_so=0,05"]) == 0
    assert "nếu Hoạt động chính quyền số +0,0500, DTI sẽ là" in capsys.readouterr().out

    assert dxwh([*args, "--index", "hoat_dong_chinh_quyen_so"]) == 2
    assert "--index cần dạng TÊN=MỨC_TĂNG" in capsys.readouterr().err


def test_a_warehouse_without_a_full_table_says_it_cannot_compute(data_home: Settings) -> None:
    # the sample marts hold partial DTI tables and no what-if marts (a warehouse published
    # before them): the section says why there is no what-if instead of failing the page
    build_sample_marts(data_home)
    publish(data_home)
    result = write_scorecard(data_home)
    html = result.index.read_text(encoding="utf-8")

    section = html[html.index('id="can-lam-gi"') :]
    assert "Chưa có bảng xếp hạng DTI đầy đủ" in section
    assert "whatif-" not in section
    assert not list(result.index.parent.glob("dti_whatif_*.png"))
