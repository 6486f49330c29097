{#- The marts' table and column COMMENTs carry both languages, Vietnamese first:
    "<meta.label_vi> — <description>", so BI tools reading the published file show what the
    dbt docs show. Overrides dbt-duckdb's macros of the same name, which write the English
    description alone. -#}
{% macro bilingual_comment(label_vi, description) -%}
    {%- set parts = [label_vi, (description or '') | trim] | select | list -%}
    {{ return(parts | join(' — ')) }}
{%- endmacro %}

{% macro duckdb__alter_relation_comment(relation, comment) %}
    {%- set meta = model.get('config', {}).get('meta', {}) or model.get('meta', {}) -%}
    {%- set text = bilingual_comment(meta.get('label_vi'), comment) -%}
    comment on {{ relation.type }} {{ relation }} is {{ duckdb_escape_comment(text) }};
{% endmacro %}

{% macro duckdb__alter_column_comment(relation, column_dict) %}
    {%- set existing = adapter.get_columns_in_relation(relation) | map(attribute='name') | list -%}
    {%- for column_name in column_dict if column_name in existing %}
        {%- set column = column_dict[column_name] -%}
        {%- set meta = column.get('config', {}).get('meta', {}) or column.get('meta', {}) -%}
        {%- set text = bilingual_comment(meta.get('label_vi'), column.get('description')) %}
        comment on column {{ relation }}.{{ adapter.quote(column_name) }} is {{ duckdb_escape_comment(text) }};
    {%- endfor %}
{% endmacro %}
