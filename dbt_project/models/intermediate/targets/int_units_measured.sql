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

with

units_expected as (
    select * from {{ ref('int_units_expected') }}
    {%- if is_incremental() %}
        where period_id in ({{ periods_to_build() }})
    {%- endif %}
),

current_submissions as (
    select * from {{ ref('int_submissions_current') }}
    {%- if is_incremental() %}
        where period_id in ({{ periods_to_build() }})
    {%- endif %}
),

staff_counts as (
    select * from {{ ref('int_staff_members_counted') }}
),

periods as (
    select * from {{ ref('int_periods') }}
    {%- if is_incremental() %}
        where period_id in ({{ periods_to_build() }})
    {%- endif %}
),

province_crosswalk as (
    select * from {{ ref('stg_registry__province_crosswalk') }}
),

-- every unit expected to report; one that did not submit (or listed nobody) has no focal
-- point and no staff, which is known; a count its file could not give stays unknown.
-- A period before the 2025 reorganisation (63-province basis) also names the province its
-- units belong to today, so that a series can be restated on today's province.
units as (
    select
        units_expected.unit_id,
        units_expected.unit_version_id,
        units_expected.province_id,
        case
            when periods.province_basis = 63
                then coalesce(province_crosswalk.province_id, units_expected.province_id)
            else units_expected.province_id
        end as successor_province_id,
        units_expected.period_id,
        units_expected.unit_level,
        -- the level below the province: no district level from 01/07/2025 (34-province basis)
        case when periods.province_basis = 63 then 'district' else 'commune' end as next_level,
        current_submissions.submission_id is not null as has_submitted,
        coalesce(current_submissions.has_dx_focal_point, false) as has_focal_point,
        {%- for column in staffing_count_columns() %}
            case
                when staff_counts.submission_id is null then 0 else staff_counts.{{ column }}
            end as {{ column }}
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from units_expected
    inner join periods
        on units_expected.period_id = periods.period_id
    left join province_crosswalk
        on units_expected.province_id = province_crosswalk.legacy_province_id
    left join current_submissions
        on
            units_expected.unit_id = current_submissions.unit_id
            and units_expected.period_id = current_submissions.period_id
    left join staff_counts
        on current_submissions.submission_id = staff_counts.submission_id
),

measured as (
    {%- for m in target_metrics() %}
        select
            unit_id || '|' || period_id || '|{{ m.metric }}' as unit_metric_id,
            unit_id,
            unit_version_id,
            unit_level,
            province_id,
            successor_province_id,
            period_id,
            has_submitted,
            has_focal_point,
            '{{ m.metric }}' as metric,
            {{ m.denominator is not none }} as is_ratio,
            cast({{ m.numerator }} as double) as numerator,
            cast({{ m.denominator if m.denominator is not none else 'null' }} as double)
                as denominator
        from units
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

final as (
    select
        *,
        numerator is not null and (not is_ratio or denominator is not null) as is_measurable
    from measured
)

select * from final
