-- depends_on: {{ ref('int_period_inputs') }}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_periods_to_build() }}",
        post_hook="{{ record_built_periods() }}",
    )
}}

{#- What a unit that holds a share target back lacks, in Vietnamese: itself or N people. -#}
{%- set lack_vi = {
    'did_not_submit': "'Chưa nộp báo cáo kỳ này'",
    'no_focal_point': "'Chưa có bộ phận/đầu mối CĐS'",
    'no_network_member': "'Chưa có thành viên Mạng lưới CĐS'",
    'members_without_platform_access':
        "n_lacking || ' thành viên Mạng lưới CĐS chưa được tiếp cận nền tảng số'",
    'staff_untrained': "n_lacking || ' người chưa được tập huấn trong năm'",
} -%}

with

units_measured as (
    select * from {{ ref('int_units_measured') }}
    {%- if is_incremental() %}
        where period_id in ({{ periods_to_build() }})
    {%- endif %}
),

metrics as (
    select * from {{ ref('int_target_metrics_aggregated') }}
    {%- if is_incremental() %}
        where period_id in ({{ periods_to_build() }})
    {%- endif %}
),

plan_targets as (
    select * from {{ ref('plan_targets') }}
),

periods as (
    select * from {{ ref('int_periods') }}
    {%- if is_incremental() %}
        where period_id in ({{ periods_to_build() }})
    {%- endif %}
),

units as (
    select * from {{ ref('dim_unit') }}
),

-- the targets met unit by unit: a share whose every unit can reach 100 %
unit_targets as (
    select
        target_id,
        metric,
        threshold_value
    from plan_targets
    where threshold_rule = 'at_least_value' and metric like 'share%'
),

-- every measured unit short of its share, in the periods whose reports are all due; a unit
-- left out of the value (its file lacked a field) holds nothing back that can be counted
lacking as (
    select
        unit_targets.target_id,
        units_measured.*,
        units_measured.denominator * unit_targets.threshold_value - units_measured.numerator
            as n_lacking,
        case
            {%- for m in target_metrics() if m.get('lacking') %}
                when units_measured.metric = '{{ m.metric }}'
                    then
                        {%- if m.denominator == '1' %}
                            case
                                when not units_measured.has_submitted then 'did_not_submit'
                                else '{{ m.lacking }}'
                            end
                        {%- else %}
                            '{{ m.lacking }}'
                        {%- endif %}
            {%- endfor %}
        end as lack_reason
    from units_measured
    inner join unit_targets
        on units_measured.metric = unit_targets.metric
    inner join periods
        on units_measured.period_id = periods.period_id
    where
        units_measured.is_measurable
        and not periods.is_in_progress
        and units_measured.numerator < units_measured.denominator * unit_targets.threshold_value
),

-- each unit counts in both scopes of fct_target_progress: its province as it was, and the
-- province it became (restated)
scoped as (
    {%- for kind, column in [('province', 'province_id'),
                             ('successor', 'successor_province_id')] %}
        select
            '{{ kind }}:' || {{ column }} as scope,
            *
        from lacking
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

final as (
    select
        scoped.target_id || '|' || scoped.scope || '|' || scoped.period_id || '|' || scoped.unit_id
            as target_holdback_id,
        scoped.target_id,
        scoped.scope,
        scoped.period_id,
        scoped.unit_id,
        units.unit_name,
        scoped.unit_level,
        scoped.province_id as unit_province_id,
        scoped.lack_reason,
        case scoped.lack_reason
            {%- for reason, text in lack_vi.items() %}
                when
                    '{{ reason }}'
                    then {{ text | replace('n_lacking', 'cast(scoped.n_lacking as bigint)') }}
            {%- endfor %}
        end as lack_vi,
        cast(scoped.n_lacking as bigint) as n_lacking,
        scoped.numerator as unit_numerator,
        scoped.denominator as unit_denominator,
        metrics.numerator as scope_numerator,
        metrics.denominator as scope_denominator,
        -- closing this unit's lack alone moves the target's value by this much
        scoped.n_lacking / metrics.denominator as share_of_target_moved,
        row_number() over (
            partition by scoped.target_id, scoped.scope, scoped.period_id
            order by
                scoped.n_lacking desc,
                case scoped.unit_level when 'province' then 1 when 'district' then 2 else 3 end asc,
                scoped.unit_id asc
        ) as holdback_rank
    from scoped
    inner join metrics
        on
            scoped.scope = metrics.scope
            and scoped.period_id = metrics.period_id
            and scoped.metric = metrics.metric
    left join units
        on scoped.unit_version_id = units.unit_version_id
)

select * from final
