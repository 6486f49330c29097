{%- set min_periods = var('target_projection_min_periods', 3) -%}

with

progress as (
    select * from {{ ref('fct_target_progress') }}
),

trends as (
    select * from {{ ref('int_target_trends') }}
),

periods as (
    select * from {{ ref('dim_period') }}
),

-- each target in each scope that stands in the latest period whose reports are all due
headline as (
    select progress.*
    from progress
    inner join periods
        on progress.period_id = periods.period_id
    where not progress.is_period_in_progress
    qualify periods.end_date = max(periods.end_date) over ()
),

-- a projection reaches a count: how many more units or people the threshold needs
judged as (
    select
        headline.target_id,
        headline.scope,
        headline.metric,
        headline.is_restated,
        headline.province_id,
        headline.period_id,
        headline.actual_value,
        headline.is_met,
        headline.threshold_value,
        headline.deadline_date,
        headline.verdict_status,
        headline.verdict_value,
        headline.verdict_period_id,
        coalesce(trends.is_share, headline.metric like 'share%', false) as is_share,
        trends.as_of_period_id,
        trends.as_of_value,
        trends.prior_period_id,
        trends.prior_value,
        trends.n_periods_used,
        trends.first_period_id,
        trends.months_per_period,
        trends.trend_per_period,
        trends.trend_value_as_of,
        trends.spread_value,
        trends.n_periods_remaining,
        trends.projected_value,
        trends.projected_low,
        trends.projected_high,
        {%- for row in ['trends', 'verdict'] %}
            greatest(ceil(
                coalesce(
                    {{ row }}.threshold_value
                    * {{ row }}.{{ 'as_of_' if row == 'trends' }}denominator,
                    {{ row }}.threshold_value
                ) - {{ row }}.{{ 'as_of_' if row == 'trends' }}numerator - 1e-9
            ), 0) as n_needed_{{ 'now' if row == 'trends' else 'at_deadline' }},
        {%- endfor %}
        case
            when headline.threshold_value is null or headline.actual_value is null
                then 'not_measurable'
            when headline.deadline_date is null then 'judged_each_period'
            when headline.verdict_status = 'achieved' then 'achieved_at_deadline'
            when headline.verdict_status = 'missed' then 'missed_at_deadline'
            when headline.verdict_status is not null or trends.target_id is null
                then 'not_measurable'
            when trends.as_of_value >= trends.threshold_value - 1e-9 then 'achieved'
            when trends.n_periods_remaining is null then 'not_measurable'
            when trends.n_periods_used < {{ min_periods }} then 'too_few_periods'
            when trends.projected_value >= trends.threshold_value - 1e-9 then 'projected_to_meet'
            else 'projected_to_miss'
        end as projection_status
    from headline
    left join trends
        on headline.target_id = trends.target_id and headline.scope = trends.scope
    left join progress as verdict
        on
            headline.target_id = verdict.target_id
            and headline.scope = verdict.scope
            and headline.verdict_period_id = verdict.period_id
),

final as (
    select
        target_id || '|' || scope as target_projection_id,
        target_id,
        scope,
        metric,
        is_restated,
        province_id,
        period_id,
        actual_value,
        is_met,
        threshold_value,
        deadline_date,
        is_share,
        projection_status,
        as_of_period_id,
        as_of_value,
        prior_period_id,
        prior_value,
        n_periods_used,
        first_period_id,
        months_per_period,
        trend_per_period,
        trend_value_as_of,
        spread_value,
        projected_value,
        projected_low,
        projected_high,
        n_periods_remaining,
        case
            when projection_status in ('too_few_periods', 'projected_to_meet', 'projected_to_miss')
                then (threshold_value - as_of_value) / n_periods_remaining
        end as gain_needed_per_period,
        case
            when projection_status in ('too_few_periods', 'projected_to_meet', 'projected_to_miss')
                then cast(n_needed_now as bigint)
            when projection_status = 'missed_at_deadline' then cast(n_needed_at_deadline as bigint)
        end as n_needed,
        verdict_status,
        verdict_value,
        verdict_period_id
    from judged
),

-- the sentence an official reads ("cần thêm 12 đầu mối CĐS trước 31/12/2025"); figures as
-- the scorecard prints them
worded as (
    select
        *,
        case metric
            {%- for m in target_metrics() %}
                when '{{ m.metric }}' then '{{ m.count_vi }}'
            {%- endfor %}
        end as count_vi,
        case when months_per_period = 12 then 'năm' else 'kỳ' end as step_vi,
        {{ vn_date('deadline_date') }} as deadline_vi
    from final
),

sentences as (
    select
        worded.* exclude (worded.count_vi, worded.step_vi, worded.deadline_vi),
        case worded.projection_status
            when 'not_measurable' then 'Không đo được từ báo cáo'
            when 'judged_each_period'
                then
                    'Xét từng kỳ, không dự báo: kỳ ' || worded.period_id
                    || case
                        when worded.actual_value >= worded.threshold_value then ' đạt (' else
                            ' không đạt ('
                    end
                    || {{ vn_figure('worded.actual_value', 'worded.is_share') }} || ', ngưỡng '
                    || {{ vn_figure('worded.threshold_value', 'worded.is_share') }} || ')'
            when 'achieved_at_deadline'
                then
                    'Đã qua thời hạn ' || worded.deadline_vi || ': đạt ('
                    || {{ vn_figure('worded.verdict_value', 'worded.is_share') }} || ', kỳ '
                    || worded.verdict_period_id || ')'
            when 'missed_at_deadline'
                then
                    'Đã qua thời hạn ' || worded.deadline_vi || ': không đạt ('
                    || {{ vn_figure('worded.verdict_value', 'worded.is_share') }} || ', kỳ '
                    || worded.verdict_period_id || '), còn thiếu ' || worded.n_needed || ' '
                    || worded.count_vi
            when 'achieved'
                then
                    'Đã đạt (' || {{ vn_figure('worded.as_of_value', 'worded.is_share') }}
                    || ', kỳ ' || worded.as_of_period_id || '); cần giữ đến ' || worded.deadline_vi
            else
                case worded.projection_status
                    when 'too_few_periods'
                        then
                            'Chưa đủ kỳ để dự báo (có ' || worded.n_periods_used || ' kỳ, cần '
                            || {{ min_periods }} || ')'
                    else
                        'Theo xu hướng '
                        || case
                            when worded.projection_status = 'projected_to_meet' then 'sẽ đạt'
                            else 'không đạt'
                        end
                        || ': dự báo '
                        || {{ vn_figure('worded.projected_value', 'worded.is_share') }}
                        || case
                            -- a range squeezed to one figure at 0 or 100 % says nothing more
                            when worded.projected_low = worded.projected_high then ''
                            else
                                ' (khoảng '
                                || {{ vn_figure('worded.projected_low', 'worded.is_share') }}
                                || ' – '
                                || {{ vn_figure('worded.projected_high', 'worded.is_share') }}
                                || ')'
                        end
                        || ' tại ' || worded.deadline_vi
                end
                -- a trend can point up while the latest step went down: say so beside it
                || case
                    when worded.prior_value > worded.as_of_value + 1e-9
                        then
                            '; ' || worded.step_vi || ' gần nhất giảm: '
                            || {{ vn_figure('worded.prior_value', 'worded.is_share') }}
                            || ' (kỳ ' || worded.prior_period_id || ') → '
                            || {{ vn_figure('worded.as_of_value', 'worded.is_share') }}
                            || ' (kỳ ' || worded.as_of_period_id || ')'
                    else ''
                end
                || '; cần thêm ' || worded.n_needed || ' ' || worded.count_vi || ' trước '
                || worded.deadline_vi || ', bình quân mỗi ' || worded.step_vi || ' +'
                || case
                    when worded.is_share
                        then
                            replace(printf('%.1f', 100 * worded.gain_needed_per_period), '.', ',')
                            || ' điểm %'
                    else replace(printf('%.1f', worded.gain_needed_per_period), '.', ',')
                end
        end as status_vi
    from worded
)

select * from sentences
