with

scores as (
    select * from {{ ref('fct_dti_scores') }}
),

tables as (
    select * from {{ ref('int_dti_tables_full') }}
),

-- the published main indices of the provinces of full tables
final as (
    select
        cast(scores.year as varchar) || '|' || cast(scores.basis as varchar) || '|'
        || scores.province_id || '|' || scores.component as dti_index_row_id,
        scores.year,
        scores.basis,
        scores.province_id,
        scores.province_name,
        scores.component,
        scores.score
    from scores
    inner join tables
        on
            scores.year = tables.year
            and scores.basis = tables.basis
            and scores.province_id = tables.province_id
    where
        scores.is_published
        and scores.score is not null
        and scores.component in (
            {%- for index in dti_main_indices() %}
                '{{ index }}'{% if not loop.last %},{% endif %}
            {%- endfor %}
        )
)

select * from final
