with

scores as (
    select * from {{ ref('stg_dti__scores') }}
),

publications as (
    select * from {{ ref('stg_dti__publications') }}
),

scored as (
    select
        scores.*,
        publications.arrival_seq,
        publications.is_partial
    from scores
    inner join publications
        on scores.publication_id = publications.publication_id
),

-- a complete re-publication of a year and basis supersedes everything published before it;
-- a partial one supersedes only the provinces it lists
last_complete as (
    select
        year,
        basis,
        max(arrival_seq) as arrival_seq
    from scored
    where not is_partial
    group by year, basis
),

candidates as (
    select scored.*
    from scored
    left join last_complete
        on scored.year = last_complete.year and scored.basis = last_complete.basis
    where scored.arrival_seq >= coalesce(last_complete.arrival_seq, 0)
),

ranked as (
    select
        *,
        row_number() over (
            partition by year, basis, province_id
            order by arrival_seq desc, score_row_id desc
        ) as supersession_rank
    from candidates
),

final as (
    select * exclude (supersession_rank)
    from ranked
    where supersession_rank = 1
)

select * from final
