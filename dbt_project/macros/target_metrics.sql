{#- How each metric of the plan_targets seed is measured from one unit's report: the unit's
    numerator and, for ratios, its denominator. The province-wide value is sum(numerator) (or
    sum(numerator) / sum(denominator)) over the units whose report measures it; a unit whose
    numerator or denominator is unknown (its file lacked a field the metric needs) is counted
    as not measurable instead. `next_level` is the level below the province in the period's
    structure: district before the two-level local government (01/07/2025), commune after. -#}
{% macro target_metrics() -%}
    {{ return([
        {'metric': 'share_units_with_focal_point',
         'numerator': 'case when has_focal_point then 1 else 0 end', 'denominator': '1'},
        {'metric': 'share_network_with_platform_access',
         'numerator': 'n_dx_network_members_with_platform_access',
         'denominator': 'n_dx_network_members'},
        {'metric': 'n_dedicated_province_and_next_level',
         'numerator': "case when unit_level in ('province', next_level) then n_dedicated else 0 end",
         'denominator': none},
        {'metric': 'n_staff', 'numerator': 'n_staff', 'denominator': none},
        {'metric': 'share_staff_trained_year_to_date',
         'numerator': 'n_trained_year_to_date', 'denominator': 'n_staff'},
        {'metric': 'share_units_with_network_member',
         'numerator': 'cast(n_dx_network_members >= 1 as integer)', 'denominator': '1'},
    ]) }}
{%- endmacro %}
