{#- The DTI components of fct_dti_scores: the index, its 8 main indices and its 3 pillars,
    each with the raw column holding its score and (for the index and pillars) its rank. -#}
{% macro dti_components() -%}
    {{ return([
        {'component': 'dti', 'score': 'dti', 'rank': 'dti_rank'},
        {'component': 'nhan_thuc_so', 'score': 'nhan_thuc_so', 'rank': none},
        {'component': 'the_che_so', 'score': 'the_che_so', 'rank': none},
        {'component': 'ha_tang_so', 'score': 'ha_tang_so', 'rank': none},
        {'component': 'nhan_luc_so', 'score': 'nhan_luc_so', 'rank': none},
        {'component': 'an_toan_thong_tin_mang', 'score': 'an_toan_thong_tin_mang', 'rank': none},
        {'component': 'hoat_dong_chinh_quyen_so', 'score': 'hoat_dong_chinh_quyen_so', 'rank': none},
        {'component': 'hoat_dong_kinh_te_so', 'score': 'hoat_dong_kinh_te_so', 'rank': none},
        {'component': 'hoat_dong_xa_hoi_so', 'score': 'hoat_dong_xa_hoi_so', 'rank': none},
        {'component': 'chinh_quyen_so', 'score': 'tru_cot_chinh_quyen_so', 'rank': 'hang_chinh_quyen_so'},
        {'component': 'kinh_te_so', 'score': 'tru_cot_kinh_te_so', 'rank': 'hang_kinh_te_so'},
        {'component': 'xa_hoi_so', 'score': 'tru_cot_xa_hoi_so', 'rank': 'hang_xa_hoi_so'},
    ]) }}
{%- endmacro %}

{#- The 8 main indices that the 2021–2023 formula weighs into the DTI. -#}
{% macro dti_main_indices() -%}
    {{ return(['nhan_thuc_so', 'the_che_so', 'ha_tang_so', 'nhan_luc_so',
               'an_toan_thong_tin_mang', 'hoat_dong_chinh_quyen_so',
               'hoat_dong_kinh_te_so', 'hoat_dong_xa_hoi_so']) }}
{%- endmacro %}

{#- The components the ministry's rule for a merged province averages over its pre-merger
    provinces: "giá trị trung bình cộng các chỉ số chính của DTI các tỉnh trước sáp nhập" (the
    DTI 2024 announcement, 21/10/2025), i.e. the DTI and its main indices. The pillar scores
    and ranks are not covered, so the warehouse never averages them. -#}
{% macro dti_averaged_components() -%}
    {{ return(['dti'] + dti_main_indices()) }}
{%- endmacro %}
