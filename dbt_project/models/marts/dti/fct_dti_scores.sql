with

scores as (
    select * from {{ ref('int_dti_scores_merged') }}
),

methodologies as (
    select * from {{ ref('dti_methodologies') }}
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
        scores.dti_score_id,
        scores.year,
        scores.basis,
        scores.province_id,
        cast(scores.basis as varchar) || ':' || scores.province_id as province_key,
        scores.province_name,
        scores.component,
        scores.score,
        scores.rank,
        cast(scores.n_ranked as bigint) as n_ranked,
        -- positive = moved up since the previous year on the same basis
        case
            when lag(scores.year) over ranks = scores.year - 1
                then lag(scores.rank) over ranks - scores.rank
        end as rank_change,
        scores.is_recomputed,
        scores.recomputed_score,
        cast(scores.n_provinces_averaged as bigint) as n_provinces_averaged,
        scores.formula_residual,
        methodology_breaks.methodology,
        methodology_breaks.decision_ref as methodology_decision_ref,
        coalesce(methodology_breaks.is_methodology_break, false) as is_methodology_break,
        scores.publication_id
    from scores
    left join methodology_breaks
        on scores.year = methodology_breaks.year
    window ranks as (
        partition by scores.basis, scores.province_id, scores.component
        order by scores.year
    )
)

select * from final
