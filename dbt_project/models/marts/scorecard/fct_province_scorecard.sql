with

compliance as (
    select * from {{ ref('int_province_compliance_summed') }}
),

staffing as (
    select * from {{ ref('int_province_staffing_summed') }}
),

targets as (
    select * from {{ ref('int_province_targets_counted') }}
),

dti_scores as (
    select * from {{ ref('fct_dti_scores') }}
),

periods as (
    select * from {{ ref('dim_period') }}
),

provinces as (
    select * from {{ ref('dim_province') }}
),

final as (
    select
        compliance.province_period_id as scorecard_id,
        compliance.province_id,
        coalesce(provinces.province_name, compliance.registry_province_name) as province_name,
        compliance.period_id,
        periods.province_basis,
        compliance.n_units_expected,
        compliance.n_units_submitted,
        compliance.n_units_submitted / compliance.n_units_expected as share_units_submitted,
        compliance.n_units_on_time / compliance.n_units_expected as share_units_on_time,
        compliance.n_files_rejected,
        -- a province none of whose units submitted has no staff and no focal point (known)
        {%- for column in scorecard_staff_columns() + ['n_units_with_focal_point'] %}
            case when staffing.province_period_id is null then 0 else staffing.{{ column }} end
                as {{ column }},
        {%- endfor %}
        {%- for column in ['n_targets', 'n_targets_achieved', 'n_targets_on_track',
                           'n_targets_at_risk', 'n_targets_missed', 'n_targets_not_measurable',
                           'n_targets_in_progress'] %}
            coalesce(targets.{{ column }}, 0) as {{ column }},
        {%- endfor %}
        -- the DTI of the period's year, on the province list in force at the period's end
        dti_scores.score as dti_score,
        dti_scores.rank as dti_rank,
        dti_scores.n_ranked as dti_n_ranked,
        dti_scores.is_recomputed as is_dti_recomputed
    from compliance
    inner join periods
        on compliance.period_id = periods.period_id
    left join provinces
        on
            periods.province_basis = provinces.basis
            and compliance.province_id = provinces.province_id
    left join staffing
        on compliance.province_period_id = staffing.province_period_id
    left join targets
        on compliance.province_period_id = targets.province_period_id
    left join dti_scores
        on
            periods.period_year = dti_scores.year
            and periods.province_basis = dti_scores.basis
            and compliance.province_id = dti_scores.province_id
            and dti_scores.component = 'dti'
)

select * from final
