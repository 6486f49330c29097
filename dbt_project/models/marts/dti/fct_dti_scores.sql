with

published as (
    select * from {{ ref('int_dti_components') }}
),

recomputed as (
    select * from {{ ref('int_dti_scores_merged') }}
),

methodologies as (
    select * from {{ ref('dti_methodologies') }}
),

-- published values stand as published; the warehouse's own 34-basis average fills in where
-- nothing was published on that basis, and sits beside the published value where both exist
combined as (
    select
        coalesce(published.dti_score_id, recomputed.dti_score_id) as dti_score_id,
        coalesce(published.year, recomputed.year) as year,  -- noqa: RF04
        coalesce(published.basis, recomputed.basis) as basis,
        coalesce(published.province_id, recomputed.province_id) as province_id,
        coalesce(published.province_name, recomputed.province_name) as province_name,
        coalesce(published.component, recomputed.component) as component,
        case
            when published.dti_score_id is not null then published.score else recomputed.score
        end as score,
        published.rank,
        published.n_ranked,
        published.dti_score_id is null as is_recomputed,
        recomputed.score as recomputed_score,
        recomputed.n_provinces_averaged,
        published.formula_residual,
        published.publication_id
    from published
    full outer join recomputed
        on published.dti_score_id = recomputed.dti_score_id
),

methodology_breaks as (
    select
        year,
        methodology,
        decision_ref,
        coalesce(methodology <> lag(methodology) over (order by year), false)
            as is_methodology_break
    from methodologies
),

final as (
    select
        combined.dti_score_id,
        combined.year,
        combined.basis,
        combined.province_id,
        cast(combined.basis as varchar) || ':' || combined.province_id as province_key,
        combined.province_name,
        combined.component,
        combined.score,
        combined.rank,
        combined.n_ranked,
        -- positive = moved up since the previous year on the same basis
        case
            when lag(combined.year) over ranks = combined.year - 1
                then lag(combined.rank) over ranks - combined.rank
        end as rank_change,
        combined.is_recomputed,
        combined.recomputed_score,
        combined.n_provinces_averaged,
        combined.formula_residual,
        methodology_breaks.methodology,
        methodology_breaks.decision_ref as methodology_decision_ref,
        coalesce(methodology_breaks.is_methodology_break, false) as is_methodology_break,
        combined.publication_id
    from combined
    left join methodology_breaks
        on combined.year = methodology_breaks.year
    window ranks as (
        partition by combined.basis, combined.province_id, combined.component
        order by combined.year
    )
)

select * from final
