{#- Last day of a period id: '2023' -> 2023-12-31, '2024-H1' -> 2024-06-30. -#}
{% macro period_end_date(period_id) -%}
    case
        when {{ period_id }} like '%-H1'
            then make_date(cast(left({{ period_id }}, 4) as integer), 6, 30)
        else make_date(cast(left({{ period_id }}, 4) as integer), 12, 31)
    end
{%- endmacro %}
