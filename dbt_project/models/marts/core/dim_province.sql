with

provinces as (
    select * from {{ ref('stg_registry__provinces') }}
),

crosswalk as (
    select * from {{ ref('stg_registry__province_crosswalk') }}
),

predecessors as (
    select
        province_id,
        count(*) as n_legacy_provinces
    from crosswalk
    group by province_id
),

final as (
    select
        provinces.province_key,
        provinces.province_id,
        provinces.province_name,
        provinces.basis,
        provinces.valid_from,
        provinces.valid_to,
        -- where the province's history continues after 2025-07-01 (itself on the 34 basis)
        case
            when provinces.basis = 34 then provinces.province_id else crosswalk.province_id
        end as current_province_id,
        case
            when provinces.basis = 34 then provinces.province_name else crosswalk.province_name
        end as current_province_name,
        cast(case
            when provinces.basis = 34 then coalesce(predecessors.n_legacy_provinces, 0)
        end as bigint) as n_legacy_provinces
    from provinces
    left join crosswalk
        on provinces.basis = 63 and provinces.province_id = crosswalk.legacy_province_id
    left join predecessors
        on provinces.basis = 34 and provinces.province_id = predecessors.province_id
)

select * from final
