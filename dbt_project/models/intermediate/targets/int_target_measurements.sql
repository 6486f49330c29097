with

units_expected as (
    select * from {{ ref('int_units_expected') }}
),

current_submissions as (
    select * from {{ ref('int_submissions_current') }}
),

staff_members as (
    select * from {{ ref('int_staff_members_current') }}
),

periods as (
    select * from {{ ref('int_periods') }}
),

plan_targets as (
    select * from {{ ref('plan_targets') }}
),

staff_by_submission as (
    select
        submission_id,
        count(*) as n_staff,
        count(*) filter (where is_dedicated) as n_dedicated,
        count(*) filter (where is_trained_year_to_date) as n_trained_year_to_date,
        count(*) filter (where is_dx_network_member) as n_network_members,
        count(*) filter (where is_dx_network_member and has_platform_access)
            as n_network_members_with_access
    from staff_members
    group by submission_id
),

-- every unit expected to report; one that did not submit has no focal point and no staff
units as (
    select
        units_expected.province_id,
        units_expected.period_id,
        units_expected.unit_level,
        coalesce(current_submissions.has_dx_focal_point, false) as has_focal_point,
        coalesce(staff_by_submission.n_staff, 0) as n_staff,
        coalesce(staff_by_submission.n_dedicated, 0) as n_dedicated,
        coalesce(staff_by_submission.n_trained_year_to_date, 0) as n_trained_year_to_date,
        coalesce(staff_by_submission.n_network_members, 0) as n_network_members,
        coalesce(staff_by_submission.n_network_members_with_access, 0)
            as n_network_members_with_access
    from units_expected
    left join current_submissions
        on
            units_expected.unit_id = current_submissions.unit_id
            and units_expected.period_id = current_submissions.period_id
    left join staff_by_submission
        on current_submissions.submission_id = staff_by_submission.submission_id
),

scopes as (
    select
        'province:' || province_id as scope,
        province_id,
        period_id,
        avg(case when has_focal_point then 1.0 else 0.0 end) as share_units_with_focal_point,
        sum(n_network_members_with_access) / nullif(sum(n_network_members), 0)
            as share_network_with_platform_access,
        sum(case when unit_level in ('province', 'district') then n_dedicated else 0 end)
            as n_dedicated_province_district,
        sum(n_staff) as n_staff,
        sum(n_trained_year_to_date) / nullif(sum(n_staff), 0)
            as share_staff_trained_year_to_date,
        avg(case when n_network_members >= 1 then 1.0 else 0.0 end)
            as share_units_with_network_member
    from units
    group by province_id, period_id
),

measured as (
    select
        plan_targets.target_id || '|' || scopes.scope || '|' || scopes.period_id
            as target_progress_id,
        plan_targets.target_id,
        scopes.scope,
        scopes.province_id,
        scopes.period_id,
        plan_targets.threshold_rule,
        plan_targets.threshold_value as target_threshold_value,
        plan_targets.baseline_period_id,
        periods.previous_period_id,
        periods.end_date as period_end_date,
        coalesce(plan_targets.deadline_date, periods.end_date) as deadline_date,
        cast(case plan_targets.metric
            when 'share_units_with_focal_point' then scopes.share_units_with_focal_point
            when 'share_network_with_platform_access'
                then scopes.share_network_with_platform_access
            when 'n_dedicated_province_district' then scopes.n_dedicated_province_district
            when 'n_staff' then scopes.n_staff
            when 'share_staff_trained_year_to_date'
                then scopes.share_staff_trained_year_to_date
            when 'share_units_with_network_member'
                then scopes.share_units_with_network_member
        end as double) as actual_value
    from scopes
    cross join plan_targets
    inner join periods
        on scopes.period_id = periods.period_id
),

final as (
    select
        measured.target_progress_id,
        measured.target_id,
        measured.scope,
        measured.province_id,
        measured.period_id,
        measured.period_end_date,
        measured.deadline_date,
        measured.actual_value,
        case measured.threshold_rule
            when 'at_least_value' then measured.target_threshold_value
            when 'at_least_baseline' then baseline.actual_value
            when 'at_least_previous' then previous.actual_value
        end as threshold_value,
        baseline.actual_value as baseline_value,
        baseline.period_end_date as baseline_end_date
    from measured
    left join measured as baseline
        on
            measured.target_id = baseline.target_id
            and measured.scope = baseline.scope
            and measured.baseline_period_id = baseline.period_id
    left join measured as previous
        on
            measured.target_id = previous.target_id
            and measured.scope = previous.scope
            and measured.previous_period_id = previous.period_id
)

select * from final
