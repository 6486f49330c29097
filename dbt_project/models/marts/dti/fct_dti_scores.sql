with

scores as (
    select * from {{ ref('int_dti_scores_merged') }}
),

methodologies as (
    select * from {{ ref('dti_methodologies') }}
),

province_names as (
    select * from {{ ref('province_names') }}
),

methodology_breaks as (
    select
        year,
        methodology,
        decision_ref,
        decision_date,
        coalesce(methodology <> lag(methodology) over (order by year), false)
            as is_methodology_break
    from methodologies
),

-- a province is named as it was at the end of the year evaluated (Tỉnh Thừa Thiên Huế until
-- 2024); the province lists name each province as it stood on the list's last day
named as (
    select
        scores.*,
        coalesce(province_names.province_name, scores.province_name) as province_name_in_year
    from scores
    left join province_names
        on
            scores.basis = province_names.basis
            and scores.province_id = province_names.province_id
            and make_date(scores.year, 12, 31)
            between coalesce(province_names.valid_from, date '1900-01-01')
            and coalesce(province_names.valid_to, date '9999-12-31')
),

final as (
    select
        named.dti_score_id,
        named.year,
        named.basis,
        named.province_id,
        cast(named.basis as varchar) || ':' || named.province_id as province_key,
        named.province_name_in_year as province_name,
        named.component,
        named.score,
        named.rank,
        cast(named.n_ranked as bigint) as n_ranked,
        -- positive = moved up since the previous year on the same basis
        case
            when lag(named.year) over ranks = named.year - 1
                then lag(named.rank) over ranks - named.rank
        end as rank_change,
        named.is_recomputed,
        -- only what a publication printed is published; the rest is the warehouse's estimate
        not named.is_recomputed as is_published,
        case when named.is_recomputed then 'warehouse_estimate' else 'published' end
            as value_source,
        named.recomputed_score,
        cast(named.n_provinces_averaged as bigint) as n_provinces_averaged,
        named.formula_residual,
        methodology_breaks.methodology,
        methodology_breaks.decision_ref as methodology_decision_ref,
        methodology_breaks.decision_date as methodology_decision_date,
        coalesce(methodology_breaks.is_methodology_break, false) as is_methodology_break,
        named.publication_id
    from named
    left join methodology_breaks
        on named.year = methodology_breaks.year
    window ranks as (
        partition by named.basis, named.province_id, named.component
        order by named.year
    )
)

select * from final
