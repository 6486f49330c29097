with

compliance as (
    select * from {{ ref('fct_reporting_compliance') }}
),

staffing as (
    select * from {{ ref('fct_staffing') }}
),

target_progress as (
    select * from {{ ref('fct_target_progress') }}
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

units_expected as (
    select * from {{ ref('int_units_expected') }}
),

-- the registry's province name, for when the province list has not been loaded
registry_names as (
    select
        province_id,
        period_id,
        min(province_name) as province_name
    from units_expected
    group by province_id, period_id
),

reporting as (
    select
        province_id,
        period_id,
        count(*) as n_units_expected,
        count(*) filter (where is_submitted) as n_units_submitted,
        count(*) filter (where is_on_time) as n_units_on_time,
        sum(n_files_rejected) as n_files_rejected
    from compliance
    group by province_id, period_id
),

staff as (
    select
        province_id,
        period_id,
        sum(n_staff) as n_staff,
        sum(n_dedicated) as n_dedicated,
        sum(n_concurrent) as n_concurrent,
        sum(n_it_degree_university_plus) as n_it_degree_university_plus,
        sum(n_trained) as n_trained,
        sum(n_dx_network_members) as n_dx_network_members,
        count(*) filter (where has_dx_focal_point) as n_units_with_focal_point
    from staffing
    group by province_id, period_id
),

targets as (
    select
        province_id,
        period_id,
        count(*) as n_targets,
        count(*) filter (where status = 'achieved') as n_targets_achieved,
        count(*) filter (where status = 'on_track') as n_targets_on_track,
        count(*) filter (where status = 'at_risk') as n_targets_at_risk,
        count(*) filter (where status = 'missed') as n_targets_missed
    from target_progress
    group by province_id, period_id
),

final as (
    select
        reporting.province_id || '|' || reporting.period_id as scorecard_id,
        reporting.province_id,
        coalesce(provinces.province_name, registry_names.province_name) as province_name,
        reporting.period_id,
        periods.province_basis,
        cast(reporting.n_units_expected as integer) as n_units_expected,
        cast(reporting.n_units_submitted as integer) as n_units_submitted,
        reporting.n_units_submitted / reporting.n_units_expected as share_units_submitted,
        reporting.n_units_on_time / reporting.n_units_expected as share_units_on_time,
        cast(reporting.n_files_rejected as integer) as n_files_rejected,
        {%- for column in [
            'n_staff', 'n_dedicated', 'n_concurrent', 'n_it_degree_university_plus',
            'n_trained', 'n_dx_network_members', 'n_units_with_focal_point',
        ] %}
            cast(coalesce(staff.{{ column }}, 0) as integer) as {{ column }},
        {%- endfor %}
        {%- for column in [
            'n_targets', 'n_targets_achieved', 'n_targets_on_track', 'n_targets_at_risk',
            'n_targets_missed',
        ] %}
            cast(coalesce(targets.{{ column }}, 0) as integer) as {{ column }},
        {%- endfor %}
        -- the DTI of the period's year, on the province list in force at the period's end
        dti_scores.score as dti_score,
        dti_scores.rank as dti_rank,
        dti_scores.n_ranked as dti_n_ranked,
        dti_scores.is_recomputed as is_dti_recomputed
    from reporting
    inner join periods
        on reporting.period_id = periods.period_id
    left join provinces
        on
            periods.province_basis = provinces.basis
            and reporting.province_id = provinces.province_id
    left join registry_names
        on
            reporting.province_id = registry_names.province_id
            and reporting.period_id = registry_names.period_id
    left join staff
        on
            reporting.province_id = staff.province_id
            and reporting.period_id = staff.period_id
    left join targets
        on
            reporting.province_id = targets.province_id
            and reporting.period_id = targets.period_id
    left join dti_scores
        on
            periods.period_year = dti_scores.year
            and periods.province_basis = dti_scores.basis
            and reporting.province_id = dti_scores.province_id
            and dti_scores.component = 'dti'
)

select * from final
