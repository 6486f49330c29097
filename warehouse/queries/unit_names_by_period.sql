-- Unit names by period: every unit valid on a period's last day, named as it was that day
-- (the latest version valid then), one row per unit and period. The other views and the
-- portal take a unit's name in a period from here.
with

periods as (
    select * from marts.dim_period
),

units as (
    select * from marts.dim_unit
)

select
    units.unit_id,
    periods.period_id,
    units.unit_name,
    units.unit_level,
    units.province_id
from periods
inner join units
    on
        periods.end_date
        between units.valid_from and coalesce(units.valid_to, date '9999-12-31')
qualify
    row_number() over (
        partition by units.unit_id, periods.period_id order by units.valid_from desc
    ) = 1
order by periods.period_id, units.unit_id
