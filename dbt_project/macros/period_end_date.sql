{#- Last day of a period id: '2023' -> 2023-12-31, '2024-H1' -> 2024-06-30. -#}
{% macro period_end_date(period_id) -%}
    case
        when {{ period_id }} like '%-H1'
            then make_date(cast(left({{ period_id }}, 4) as integer), 6, 30)
        else make_date(cast(left({{ period_id }}, 4) as integer), 12, 31)
    end
{%- endmacro %}

{#- First day of a period id: '2024-H2' -> 2024-07-01, otherwise 1 January. -#}
{% macro period_start_date(period_id) -%}
    case
        when {{ period_id }} like '%-H2'
            then make_date(cast(left({{ period_id }}, 4) as integer), 7, 1)
        else make_date(cast(left({{ period_id }}, 4) as integer), 1, 1)
    end
{%- endmacro %}

{#- annual, H1 or H2. -#}
{% macro period_type(period_id) -%}
    case
        when {{ period_id }} like '%-H1' then 'H1'
        when {{ period_id }} like '%-H2' then 'H2'
        else 'annual'
    end
{%- endmacro %}
