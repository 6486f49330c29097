{#- Unknown is not zero. A clerk's file may lack an optional column; its rows then hold NULL.
    count_if_known: how many rows meet the condition, NULL when the condition is unknown for
    any row (three-valued logic: `false and NULL` is known false, `true and NULL` unknown).
    sum_if_known: the sum of a count column, NULL when any row's count is unknown. -#}
{% macro count_if_known(condition) -%}
    case
        when count(*) filter (where ({{ condition }}) is null) = 0
            then count(*) filter (where {{ condition }})
    end
{%- endmacro %}

{% macro sum_if_known(column) -%}
    case
        when count(*) filter (where {{ column }} is null) = 0
            then cast(sum({{ column }}) as bigint)
    end
{%- endmacro %}

{#- The staff counts of int_staff_members_counted, in the order the marts publish them. -#}
{% macro staffing_count_columns() -%}
    {{ return([
        'n_staff', 'n_dedicated', 'n_concurrent', 'n_it_degree_university_plus', 'n_trained',
        'n_trained_year_to_date', 'n_dx_network_members',
        'n_dx_network_members_with_platform_access', 'n_incident_response_members',
        'n_platform_access',
    ]) }}
{%- endmacro %}

{#- The staff counts province_scorecard sums over its units. -#}
{% macro scorecard_staff_columns() -%}
    {{ return([
        'n_staff', 'n_dedicated', 'n_concurrent', 'n_it_degree_university_plus', 'n_trained',
        'n_dx_network_members',
    ]) }}
{%- endmacro %}

{#- The fields whose unknown values int_staff_members_counted counts per submission: each gives
    n_unknown_<field>, the people whose value is missing or unreadable in the clerk's file (or
    whose file had no such column). -#}
{% macro unknown_field_columns() -%}
    {{ return({
        'birth_year': 'is_birth_year_unknown',
        'gender': 'gender is null',
        'assignment': 'assignment is null',
        'education_level': 'education_level is null',
        'field_of_study': 'field_of_study is null',
        'trainings': 'n_trainings_in_period is null',
        'dx_network_member': 'is_dx_network_member is null',
        'incident_response_member': 'is_incident_response_member is null',
        'platform_access': 'has_platform_access is null',
    }) }}
{%- endmacro %}
