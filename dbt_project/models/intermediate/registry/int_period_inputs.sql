-- the registry as one number: a unit renamed, moved, exempted, merged or dropped changes every
-- period's inputs
with

periods as (
    select * from {{ ref('int_periods') }}
),

file_loads as (
    select * from {{ ref('stg_audit__file_loads') }}
),

submissions as (
    select * from {{ ref('stg_submissions__submissions') }}
),

units as (
    select * from {{ ref('int_reporting_units_linked') }}
),

-- a file changes its period and the later periods of its year (training over the year to date)
loads_by_year as (
    select
        left(period_id, 4) as period_year,
        count(*) as n_file_loads,
        max(loaded_at) as last_loaded_at
    from file_loads
    where period_id is not null
    group by left(period_id, 4)
),

submissions_by_year as (
    select
        left(period_id, 4) as period_year,
        count(*) as n_submissions,
        max(loaded_at) as last_submission_loaded_at
    from submissions
    group by left(period_id, 4)
),

registry as (
    select sum(cast(hash(units) as hugeint)) as registry_hash
    from units
),

final as (
    select
        periods.period_id,
        md5(
            concat_ws(
                '|',
                -- the project's models and seeds: new code or a new seed rebuilds every period
                '{{ project_checksum() }}',
                -- its macros (dbt's checksums do not cover them): the nightly passes their digest
                '{{ var("macros_digest", "") }}',
                periods.is_in_progress,
                coalesce(cast(loads_by_year.n_file_loads as varchar), '-'),
                coalesce(cast(loads_by_year.last_loaded_at as varchar), '-'),
                coalesce(cast(submissions_by_year.n_submissions as varchar), '-'),
                coalesce(cast(submissions_by_year.last_submission_loaded_at as varchar), '-'),
                coalesce(cast(registry.registry_hash as varchar), '-')
            )
        ) as inputs_hash
    from periods
    cross join registry
    left join loads_by_year
        on left(periods.period_id, 4) = loads_by_year.period_year
    left join submissions_by_year
        on left(periods.period_id, 4) = submissions_by_year.period_year
)

select * from final
