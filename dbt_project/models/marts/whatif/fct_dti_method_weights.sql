with

methodologies as (
    select * from {{ ref('dti_methodologies') }}
),

fitted as (
    select * from {{ ref('int_dti_weights_fitted') }}
),

scores as (
    select * from {{ ref('fct_dti_scores') }}
),

-- every year and basis a DTI table was loaded for
tables as (
    select distinct
        year,
        basis
    from scores
    where component = 'dti' and is_published
),

published as (
    {%- for index in dti_main_indices() %}
        select
            year,
            methodology,
            decision_ref,
            '{{ index }}' as component,
            {{ loop.index }} as component_order,
            w_{{ index }} as published_weight
        from methodologies
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

final as (
    select
        cast(tables.year as varchar) || '|' || cast(tables.basis as varchar) || '|'
        || published.component as dti_method_weight_id,
        tables.year,
        tables.basis,
        published.component,
        published.component_order,
        published.methodology,
        published.decision_ref as methodology_decision_ref,
        published.published_weight,
        fitted.fitted_weight,
        coalesce(published.published_weight, fitted.fitted_weight) as weight,
        case
            when published.published_weight is not null then 'published'
            when fitted.fitted_weight is not null then 'least_squares'
            else 'unknown'
        end as weight_source,
        round(fitted.fitted_weight - published.published_weight, 6)
            as fitted_minus_published,
        fitted.n_provinces_fitted,
        fitted.fit_rmse,
        fitted.fit_max_abs_residual
    from tables
    inner join published
        on tables.year = published.year
    left join fitted
        on
            tables.year = fitted.year
            and tables.basis = fitted.basis
            and published.component = fitted.component
)

select * from final
