with

units as (
    select * from {{ ref('int_reporting_units_versioned') }}
),

periods as (
    select * from {{ ref('int_periods') }}
),

-- a unit must report for a period when the registry has it active on the period's last day
expected as (
    select
        units.unit_id || '|' || periods.period_id as unit_period_id,
        units.unit_id,
        periods.period_id,
        units.unit_version_id,
        units.unit_level,
        units.province_id,
        units.province_name,
        periods.end_date as period_end_date,
        periods.deadline_date
    from units
    inner join periods
        on
            periods.end_date
            between units.valid_from and coalesce(units.valid_to, date '9999-12-31')
    where not units.is_removed_from_registry
),

final as (select * from expected)

select * from final
