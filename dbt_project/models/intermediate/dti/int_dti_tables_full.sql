with

scores as (
    select * from {{ ref('fct_dti_scores') }}
),

-- the published DTI of each province
dti as (
    select
        year,
        basis,
        province_id,
        province_name,
        score,
        rank
    from scores
    where component = 'dti' and is_published and score is not null
),

-- a what-if needs the whole table of its year and basis: a partial publication hides the
-- provinces that a gain would have to pass
full_tables as (
    select
        year,
        basis
    from dti
    group by year, basis
    having count(*) = any_value(basis)
),

final as (
    select
        cast(dti.year as varchar) || '|' || cast(dti.basis as varchar) || '|' || dti.province_id
            as dti_table_row_id,
        dti.year,
        dti.basis,
        dti.province_id,
        dti.province_name,
        dti.score as dti_score,
        dti.rank as dti_rank
    from dti
    inner join full_tables
        on dti.year = full_tables.year and dti.basis = full_tables.basis
)

select * from final
