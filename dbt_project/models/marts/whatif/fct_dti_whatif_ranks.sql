with

tables as (
    select * from {{ ref('int_dti_tables_full') }}
),

-- the other provinces of the table, best first: the r-th of them holds the score that a
-- province must at least equal to be ranked r (equal scores share a rank, as published)
others_ranked as (
    select
        own.year,
        own.basis,
        own.province_id,
        own.province_name,
        own.dti_score,
        own.dti_rank,
        other.province_name as target_province_name,
        other.dti_score as target_score,
        row_number() over (
            partition by own.year, own.basis, own.province_id
            order by other.dti_score desc, other.province_name asc
        ) as target_rank
    from tables as own
    inner join tables as other
        on
            own.year = other.year
            and own.basis = other.basis
            and own.province_id <> other.province_id
),

final as (
    select
        cast(year as varchar) || '|' || cast(basis as varchar) || '|' || province_id || '|'
        || cast(target_rank as varchar) as dti_whatif_rank_id,
        year,
        basis,
        province_id,
        province_name,
        dti_score,
        dti_rank as current_rank,
        cast(target_rank as integer) as target_rank,
        target_province_name,
        target_score,
        round(target_score - dti_score, 4) as dti_gain_needed,
        -- bands of ten (1–10, 11–20, …): the next band's last rank; in the top ten, first place
        target_rank = case when dti_rank <= 10 then 1 else (dti_rank - 1) // 10 * 10 end
            as is_next_band,
        'whatif_computation' as value_source
    from others_ranked
    where target_rank < dti_rank
)

select * from final
