with

components as (
    select * from {{ ref('int_dti_components') }}
),

crosswalk as (
    select * from {{ ref('stg_registry__province_crosswalk') }}
),

crosswalk_counted as (
    select
        *,
        count(*) over (partition by province_id) as n_legacy_provinces
    from crosswalk
),

-- the official rule for a merged province's 34-basis value: the simple average of the values
-- of its pre-merger provinces; only when every one of them has a value, and only for the
-- components the rule covers (the DTI and its main indices: never the pillars)
recomputed as (
    select
        cast(components.year as varchar) || '|34|' || crosswalk_counted.province_id || '|'
        || components.component as dti_score_id,
        components.year,
        34 as basis,
        crosswalk_counted.province_id,
        any_value(crosswalk_counted.province_name) as province_name,
        components.component,
        round(avg(components.score), 6) as score,
        count(components.score) as n_provinces_averaged
    from components
    inner join crosswalk_counted
        on components.province_id = crosswalk_counted.legacy_province_id
    where
        components.basis = 63
        and components.component in (
            {%- for component in dti_averaged_components() %}
                '{{ component }}'{% if not loop.last %},{% endif %}
            {%- endfor %}
        )
    group by components.year, crosswalk_counted.province_id, components.component
    having count(components.score) = any_value(crosswalk_counted.n_legacy_provinces)
),

-- published values stand as published; the warehouse's own 34-basis average fills in where
-- nothing was published on that basis, and sits beside the published value where both exist
merged as (
    select
        coalesce(components.dti_score_id, recomputed.dti_score_id) as dti_score_id,
        coalesce(components.year, recomputed.year) as year,  -- noqa: RF04
        coalesce(components.basis, recomputed.basis) as basis,
        coalesce(components.province_id, recomputed.province_id) as province_id,
        coalesce(components.province_name, recomputed.province_name) as province_name,
        coalesce(components.component, recomputed.component) as component,
        case
            when components.dti_score_id is not null then components.score else recomputed.score
        end as score,
        components.rank,
        components.n_ranked,
        components.dti_score_id is null as is_recomputed,
        recomputed.score as recomputed_score,
        recomputed.n_provinces_averaged,
        components.formula_residual,
        components.publication_id
    from components
    full outer join recomputed
        on components.dti_score_id = recomputed.dti_score_id
),

final as (select * from merged)

select * from final
