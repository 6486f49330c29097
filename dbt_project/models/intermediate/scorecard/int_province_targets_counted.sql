with

target_progress as (
    select * from {{ ref('fct_target_progress') }}
),

counted as (
    select
        province_id || '|' || period_id as province_period_id,
        province_id,
        period_id,
        count(*) as n_targets,
        {%- for status in ['achieved', 'on_track', 'at_risk', 'missed', 'not_measurable',
                           'in_progress'] %}
            count(*) filter (where status = '{{ status }}') as n_targets_{{ status }}
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from target_progress
    -- the province as it was in the period (the scorecard's grain); restated scopes are read
    -- from fct_target_progress directly
    where not is_restated
    group by province_id, period_id
),

final as (select * from counted)

select * from final
