{#- Figures written into Vietnamese sentences the way the scorecard prints them: a share as a
    percentage with a decimal comma ("97,2%"), a count with a dot between thousands ("1.234"),
    a date as dd/mm/yyyy. -#}
{% macro vn_figure(expr, is_share) -%}
    case
        when {{ expr }} is null then '—'
        when {{ is_share }} then replace(printf('%.1f', 100 * ({{ expr }})), '.', ',') || '%'
        else replace(format('{:,}', cast(round({{ expr }}) as bigint)), ',', '.')
    end
{%- endmacro %}

{% macro vn_date(expr) -%}
    strftime({{ expr }}, '%d/%m/%Y')
{%- endmacro %}
