with

indices as (
    select * from {{ ref('int_dti_indices_full') }}
),

weights as (
    select * from {{ ref('fct_dti_method_weights') }}
),

whatif_ranks as (
    select * from {{ ref('fct_dti_whatif_ranks') }}
),

leaders as (
    select
        year,
        basis,
        component,
        max(score) as leader_score,
        arg_max(province_name, score) as leader_province_name
    from indices
    group by year, basis, component
),

next_band as (
    select
        year,
        basis,
        province_id,
        target_rank as next_band_rank,
        dti_gain_needed as next_band_dti_gain
    from whatif_ranks
    where is_next_band
),

joined as (
    select
        indices.year,
        indices.basis,
        indices.province_id,
        indices.province_name,
        indices.component,
        indices.score,
        leaders.leader_score,
        leaders.leader_province_name,
        round(leaders.leader_score - indices.score, 4) as gap_to_leader,
        weights.component_order,
        weights.weight,
        weights.weight_source,
        next_band.next_band_rank,
        next_band.next_band_dti_gain,
        -- the index gain that alone closes the DTI gap, rounded up to the printed 4 decimals
        ceil(next_band.next_band_dti_gain / nullif(weights.weight, 0) * 10000 - 1e-6)
        / 10000 as index_gain_for_next_band
    from indices
    inner join leaders
        on
            indices.year = leaders.year
            and indices.basis = leaders.basis
            and indices.component = leaders.component
    left join weights
        on
            indices.year = weights.year
            and indices.basis = weights.basis
            and indices.component = weights.component
    left join next_band
        on
            indices.year = next_band.year
            and indices.basis = next_band.basis
            and indices.province_id = next_band.province_id
),

final as (
    select
        cast(year as varchar) || '|' || cast(basis as varchar) || '|' || province_id || '|'
        || component as dti_whatif_index_id,
        year,
        basis,
        province_id,
        province_name,
        component,
        cast(component_order as integer) as component_order,
        score as index_score,
        leader_score,
        leader_province_name,
        gap_to_leader,
        weight,
        weight_source,
        round(weight * gap_to_leader, 6) as dti_gain_if_leader,
        -- 1 = the index whose every point moves the DTI furthest; weights equal to 3 decimals
        -- (a least-squares fit's noise) count as equal, and then the most room to the leader
        -- comes first
        cast(case when weight is not null then rank() over (
            partition by year, basis, province_id
            order by round(weight, 3) desc, gap_to_leader desc
        ) end as integer) as gain_per_point_order,
        next_band_rank,
        next_band_dti_gain,
        index_gain_for_next_band,
        score + index_gain_for_next_band <= 1 as is_next_band_reachable_alone,
        'whatif_computation' as value_source
    from joined
)

select * from final
