with

units as (
    select * from {{ ref('int_reporting_units_linked') }}
),

periods as (
    select * from {{ ref('int_periods') }}
),

-- a unit must report for a period when the registry has it active on the period's last day
-- and it has a reporting duty; a unit that ceased before the deadline still owes the period,
-- and its filing successor files it (docs/intake.md)
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
        periods.deadline_date,
        coalesce(
            units.ceased_date <= periods.deadline_date, false
        ) as has_ceased_before_deadline,
        case
            when
                units.ceased_date <= periods.deadline_date
                and units.filing_successor_unit_id is not null
                then units.filing_successor_unit_id
            else units.unit_id
        end as filing_unit_id
    from units
    inner join periods
        on
            periods.end_date
            between units.valid_from and coalesce(units.valid_to, date '9999-12-31')
    where not units.is_removed_from_registry and units.has_reporting_duty
),

final as (select * from expected)

select * from final
