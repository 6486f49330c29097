with

scores as (
    select * from {{ ref('int_dti_scores_current') }}
),

methodologies as (
    select * from {{ ref('dti_methodologies') }}
),

-- where the methodology publishes the weights (2021–2023), the DTI must equal the weighted sum
-- of the 8 main indices to ±0.0001; anywhere else the residual stays empty. Scores have 4
-- decimals and weights 2, so 6 decimals hold the residual exactly (no float noise).
residuals as (
    select
        scores.score_row_id,
        round(scores.dti - (
            {%- for index in dti_main_indices() %}
                methodologies.w_{{ index }} * scores.{{ index }}
                {%- if not loop.last %} +{% endif %}
            {%- endfor %}
        ), 6) as dti_formula_residual
    from scores
    inner join methodologies
        on scores.year = methodologies.year
),

scores_with_residuals as (
    select
        scores.*,
        residuals.dti_formula_residual
    from scores
    left join residuals
        on scores.score_row_id = residuals.score_row_id
),

long as (
    {%- for component in dti_components() %}
        select
            scores.score_row_id,
            scores.publication_id,
            scores.year,
            scores.basis,
            scores.province_id,
            scores.province_name,
            '{{ component.component }}' as component,
            scores.{{ component.score }} as score,
            {% if component.rank -%}
                scores.{{ component.rank }}
            {%- else -%}
                cast(null as integer)
            {%- endif %} as rank,
            scores.n_ranked,
            {% if component.component == 'dti' -%}
                scores.dti_formula_residual
            {%- else -%}
                cast(null as double)
            {%- endif %} as formula_residual,
            scores.source
        from scores_with_residuals as scores
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

final as (
    select
        cast(year as varchar) || '|' || cast(basis as varchar) || '|' || province_id || '|'
        || component as dti_score_id,
        *
    from long
    -- a publication may print a rank without the score, or leave components out
    where score is not null or rank is not null
)

select * from final
