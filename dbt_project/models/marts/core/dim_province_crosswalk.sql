with

crosswalk as (
    select * from {{ ref('stg_registry__province_crosswalk') }}
),

counted as (
    select
        *,
        count(*) over (partition by province_id) as n_legacy_provinces
    from crosswalk
),

final as (
    select
        legacy_province_id,
        legacy_province_name,
        '63:' || legacy_province_id as legacy_province_key,
        province_id,
        province_name,
        '34:' || province_id as province_key,
        effective_date,
        cast(n_legacy_provinces as bigint) as n_legacy_provinces,
        n_legacy_provinces > 1 as is_merged
    from counted
)

select * from final
