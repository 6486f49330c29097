with

compliance as (
    select * from {{ ref('fct_reporting_compliance') }}
),

summed as (
    select
        province_id || '|' || period_id as province_period_id,
        province_id,
        period_id,
        -- the registry's province name, for when the province list has not been loaded
        min(province_name) as registry_province_name,
        count(*) as n_units_expected,
        count(*) filter (where is_submitted) as n_units_submitted,
        count(*) filter (where is_on_time) as n_units_on_time,
        cast(sum(n_files_rejected) as bigint) as n_files_rejected
    from compliance
    group by province_id, period_id
),

final as (select * from summed)

select * from final
