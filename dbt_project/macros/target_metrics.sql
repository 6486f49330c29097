{#- How each metric of the plan_targets seed is measured from one unit's report: the unit's
    numerator and, for ratios, its denominator. The province-wide value is sum(numerator) (or
    sum(numerator) / sum(denominator)) over the units whose report measures it; a unit whose
    numerator or denominator is unknown (its file lacked a field the metric needs) is counted
    as not measurable instead. `next_level` is the level below the province in the period's
    structure: district before the two-level local government (01/07/2025), commune after.
    `count_vi` names what the numerator counts, for the sentences that say how many more are
    needed ("cần thêm 12 đầu mối CĐS"); `is_year_to_date` marks a value that restarts every
    year (a half-year period holds the year so far), so only year ends compare like for like.
    For a share, `lacking` names what a unit that holds it back lacks (fct_target_holdbacks):
    the unit itself (it has no focal point) or people in it (staff not trained). -#}
{% macro target_metrics() -%}
    {{ return([
        {'metric': 'share_units_with_focal_point', 'count_vi': 'đầu mối CĐS',
         'lacking': 'no_focal_point',
         'numerator': 'case when has_focal_point then 1 else 0 end', 'denominator': '1'},
        {'metric': 'share_network_with_platform_access',
         'count_vi': 'thành viên Mạng lưới CĐS được tiếp cận nền tảng số',
         'lacking': 'members_without_platform_access',
         'numerator': 'n_dx_network_members_with_platform_access',
         'denominator': 'n_dx_network_members'},
        {'metric': 'n_dedicated_province_and_next_level', 'count_vi': 'người chuyên trách',
         'numerator': "case when unit_level in ('province', next_level) then n_dedicated else 0 end",
         'denominator': none},
        {'metric': 'n_staff', 'count_vi': 'người làm CĐS', 'numerator': 'n_staff', 'denominator': none},
        {'metric': 'share_staff_trained_year_to_date', 'is_year_to_date': true,
         'count_vi': 'người được tập huấn trong năm', 'lacking': 'staff_untrained',
         'numerator': 'n_trained_year_to_date', 'denominator': 'n_staff'},
        {'metric': 'share_units_with_network_member',
         'count_vi': 'đơn vị có thành viên Mạng lưới CĐS',
         'lacking': 'no_network_member',
         'numerator': 'cast(n_dx_network_members >= 1 as integer)', 'denominator': '1'},
    ]) }}
{%- endmacro %}

{#- A projected target value kept where a value can be: a share in [0, 1], a headcount ≥ 0;
    rounded to 6 decimals so that an exact series projects to an exact figure. -#}
{% macro target_value_in_range(expr, is_share) -%}
    case
        when ({{ expr }}) is null then null
        when {{ is_share }} then round(least(greatest({{ expr }}, 0.0), 1.0), 6)
        else round(greatest({{ expr }}, 0.0), 6)
    end
{%- endmacro %}
