{#- Incremental by period. A model built this way rewrites, each night, only the periods whose
    inputs changed since its last build (int_period_inputs: a file loaded for the period's
    year, the registry, the as-of date's "in progress", the project's models and seeds) and keeps
    every other period's rows, so its cost grows with the new period, not with history.

    The model's config takes `period_incremental_config()`: before the build (pre-hook) the
    periods to rebuild are deleted, the model's SQL selects only them (filter its inputs on
    `periods_to_build()`), and after it (post-hook) each period's inputs are recorded in
    incremental_state.<model>. A build that fails records nothing, so the next one rebuilds the
    same periods; a model without a record (first build, or built before) rebuilds every
    period. -#}

{% macro built_periods_relation() -%}
    {{ return(api.Relation.create(
        database=this.database, schema='incremental_state', identifier=this.identifier)) }}
{%- endmacro %}

{#- The periods this build writes: those whose inputs differ from the ones recorded. -#}
{% macro periods_to_build() -%}
    {%- set built = adapter.get_relation(
        database=this.database, schema='incremental_state', identifier=this.identifier) -%}
    select inputs.period_id
    from {{ ref('int_period_inputs') }} as inputs
    {%- if built is not none %}
        left join {{ built }} as built
            on inputs.period_id = built.period_id and inputs.inputs_hash = built.inputs_hash
        where built.period_id is null
    {%- endif %}
{%- endmacro %}

{% macro delete_periods_to_build() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where period_id in ({{ periods_to_build() }})
    {%- endif -%}
{%- endmacro %}

{% macro record_built_periods() -%}
    create schema if not exists {{ built_periods_relation().include(identifier=false) }};
    create or replace table {{ built_periods_relation() }} as
    select period_id, inputs_hash from {{ ref('int_period_inputs') }}
{%- endmacro %}

{#- The checksums of the project's models, seeds and snapshots, as one: a deploy that changes
    any of them rebuilds every period once. -#}
{% macro project_checksum() -%}
    {%- set checksums = [] -%}
    {%- if execute -%}
        {%- for node in graph.nodes.values() | sort(attribute='unique_id') -%}
            {%- if node.resource_type in ('model', 'seed', 'snapshot') -%}
                {%- do checksums.append(node.unique_id ~ ':' ~ node.checksum.checksum) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{- local_md5(checksums | join(',')) -}}
{%- endmacro %}
