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

files as (
    select * from {{ ref('int_unit_period_files') }}
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

periods as (
    select * from {{ ref('int_periods') }}
    {%- if is_incremental() %}
        where period_id in ({{ periods_to_build() }})
    {%- endif %}
),

joined as (
    select
        units_expected.unit_period_id,
        units_expected.unit_id,
        units_expected.period_id,
        units_expected.unit_level,
        units_expected.province_id,
        units_expected.province_name,
        units_expected.deadline_date,
        periods.is_in_progress,
        units_expected.filing_unit_id,
        units_expected.has_ceased_before_deadline,
        current_submissions.submission_id as current_submission_id,
        current_submissions.submission_id is not null as is_submitted,
        files.first_submitted_date,
        -- on time when the first accepted file is dated on or before the deadline; a unit that
        -- only sent rejected files has not reported
        coalesce(
            current_submissions.submission_id is not null
            and files.first_submitted_date <= units_expected.deadline_date,
            false
        ) as is_on_time,
        cast(coalesce(files.n_files_accepted, 0) as bigint) as n_files_accepted,
        coalesce(files.n_files_accepted, 0) > 1 as is_superseded,
        cast(coalesce(files.n_files_rejected, 0) as bigint) as n_files_rejected,
        cast(coalesce(files.n_files_partial, 0) as bigint) as n_files_partial,
        cast(coalesce(files.n_files_duplicate, 0) as bigint) as n_files_duplicate
    from units_expected
    left join files
        on units_expected.unit_period_id = files.unit_period_id
    left join current_submissions
        on
            units_expected.unit_id = current_submissions.unit_id
            and units_expected.period_id = current_submissions.period_id
    inner join periods
        on units_expected.period_id = periods.period_id
),

final as (
    select
        *,
        -- before the due date a unit without a report is not late or missing: not yet due
        case
            when is_submitted and is_on_time then 'on_time'
            when is_submitted then 'late'
            when is_in_progress then 'not_yet_due'
            else 'missing'
        end as reporting_status
    from joined
)

select * from final
