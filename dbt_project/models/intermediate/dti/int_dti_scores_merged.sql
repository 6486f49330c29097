with

components as (
    select * from {{ ref('int_dti_components') }}
),

crosswalk as (
    select * from {{ ref('stg_registry__province_crosswalk') }}
),

legacy_counts as (
    select
        province_id,
        count(*) as n_legacy_provinces
    from crosswalk
    group by province_id
),

-- the official rule for a merged province's 34-basis value: the simple average of the values
-- of its pre-merger provinces; only when every one of them has a value
averaged as (
    select
        components.year,
        crosswalk.province_id,
        any_value(crosswalk.province_name) as province_name,
        components.component,
        avg(components.score) as score,
        count(components.score) as n_provinces_averaged
    from components
    inner join crosswalk
        on components.province_id = crosswalk.legacy_province_id
    where components.basis = 63
    group by components.year, crosswalk.province_id, components.component
),

final as (
    select
        cast(averaged.year as varchar) || '|34|' || averaged.province_id || '|'
        || averaged.component as dti_score_id,
        averaged.year,
        34 as basis,
        averaged.province_id,
        averaged.province_name,
        averaged.component,
        round(averaged.score, 6) as score,
        cast(averaged.n_provinces_averaged as integer) as n_provinces_averaged
    from averaged
    inner join legacy_counts
        on averaged.province_id = legacy_counts.province_id
    where averaged.n_provinces_averaged = legacy_counts.n_legacy_provinces
)

select * from final
