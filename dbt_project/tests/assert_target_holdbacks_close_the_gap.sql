-- Every night, not only on the demo: for each unit-level target (a share met unit by unit), scope
-- and due period, the lacks of the units listed in fct_target_holdbacks add up to the target's
-- gap (closing them all meets the threshold), and a projection's range holds its value.
-- Returns the rows that break either rule.
with

progress as (
    select * from {{ ref('fct_target_progress') }}
),

holdbacks as (
    select * from {{ ref('fct_target_holdbacks') }}
),

projections as (
    select * from {{ ref('fct_target_projections') }}
),

listed as (
    select
        target_id,
        scope,
        period_id,
        sum(n_lacking) as n_lacking
    from holdbacks
    group by target_id, scope, period_id
),

unit_level as (
    select distinct target_id from holdbacks
),

unclosed as (
    select
        progress.target_progress_id as broken_id,
        'holdbacks do not add up to the gap' as broken_rule
    from progress
    inner join unit_level
        on progress.target_id = unit_level.target_id
    left join listed
        on
            progress.target_id = listed.target_id
            and progress.scope = listed.scope
            and progress.period_id = listed.period_id
    where
        not progress.is_period_in_progress
        and progress.actual_value is not null
        and abs(
            progress.numerator + coalesce(listed.n_lacking, 0)
            - progress.threshold_value * progress.denominator
        ) > 1e-6
),

outside as (
    select
        target_projection_id as broken_id,
        'projection outside its range' as broken_rule
    from projections
    where not projected_value between projected_low and projected_high
)

select * from unclosed
union all
select * from outside
