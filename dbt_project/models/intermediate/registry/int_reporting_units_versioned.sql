with

snapshot as (
    select * from {{ ref('snap_registry__reporting_units') }}
),

-- the snapshot keeps every recorded state of a unit version; the latest one describes it
ranked as (
    select
        *,
        row_number() over (
            partition by unit_version_id order by dbt_valid_from desc
        ) as recorded_rank,
        count(*) over (partition by unit_version_id) as n_recorded_states
    from snapshot
),

final as (
    select
        unit_version_id,
        unit_id,
        unit_name,
        unit_type,
        unit_level,
        province_id,
        province_name,
        parent_unit_id,
        valid_from,
        valid_to,
        source,
        dbt_valid_from as recorded_at,
        dbt_valid_to is not null as is_removed_from_registry,
        cast(n_recorded_states - 1 as bigint) as n_registry_changes
    from ranked
    where recorded_rank = 1
)

select * from final
