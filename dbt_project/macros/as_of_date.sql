{#- The day the warehouse is built for: the var `as_of_date` ('YYYY-MM-DD'), which the nightly
    sets from its run's data interval; by default today in Asia/Ho_Chi_Minh. Which periods exist
    and whether one is still in progress follow from it. -#}
{% macro as_of_date() -%}
    {%- set today = modules.datetime.datetime.now(
        modules.pytz.timezone('Asia/Ho_Chi_Minh')).date().isoformat() -%}
    cast('{{ var("as_of_date", today) }}' as date)
{%- endmacro %}
