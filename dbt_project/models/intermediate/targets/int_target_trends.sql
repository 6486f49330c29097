{#- The projection method (docs/data-dictionary.md, "Projections"): a least-squares line
    through the last `target_projection_periods` like-for-like periods, fitted only on at
    least `target_projection_min_periods` of them (two points always lie on a line: no spread
    to show). -#}
{%- set n_periods = var('target_projection_periods', 4) -%}
{%- set min_periods = var('target_projection_min_periods', 3) -%}
{%- set year_to_date = [] -%}
{%- for m in target_metrics() if m.get('is_year_to_date') -%}
    {%- do year_to_date.append("'" ~ m.metric ~ "'") -%}
{%- endfor -%}

with

measurements as (
    select * from {{ ref('int_target_measurements') }}
),

periods as (
    select * from {{ ref('int_periods') }}
),

-- the periods whose reports are all due; a value that restarts every year (training so far
-- this year) compares like for like only at year ends
due as (
    select
        measurements.*,
        periods.start_date as period_start_date,
        coalesce(measurements.metric in ({{ year_to_date | join(', ') }}), false)
            as is_year_to_date
    from measurements
    inner join periods
        on measurements.period_id = periods.period_id
    where not measurements.is_period_in_progress
),

-- a scope still stands when it has the latest due period (a province merged away has no
-- projection of its own: its successor's restated scope carries it); a province as it was is
-- compared only within that period's province list
standing_scopes as (
    select
        target_id,
        scope,
        province_basis as latest_basis
    from due
    qualify period_end_date = max(period_end_date) over ()
),

series as (
    select
        due.*,
        row_number() over (
            partition by due.target_id, due.scope order by due.period_end_date desc
        ) as n_back,
        -- the like-for-like period before it, to tell a reader when the latest step went down
        lead(due.period_id) over (
            partition by due.target_id, due.scope order by due.period_end_date desc
        ) as prior_period_id,
        lead(due.actual_value) over (
            partition by due.target_id, due.scope order by due.period_end_date desc
        ) as prior_value
    from due
    inner join standing_scopes
        on due.target_id = standing_scopes.target_id and due.scope = standing_scopes.scope
    where
        due.actual_value is not null
        and (due.is_restated or due.province_basis = standing_scopes.latest_basis)
        and (not due.is_year_to_date or strftime(due.period_end_date, '%m-%d') = '12-31')
),

-- the latest period of the series, and the length of a step: a year for a value that
-- restarts every year, else the latest period's length (half a year from 2024)
latest as (
    select
        *,
        denominator is not null as is_share,
        case
            when is_year_to_date then 12
            else date_diff('month', period_start_date, period_end_date) + 1
        end as months_per_period
    from series
    where n_back = 1
),

-- each period placed in steps before the latest one (0, -1, -2 …)
placed as (
    select
        series.target_id,
        series.scope,
        series.period_id,
        series.actual_value,
        date_diff('month', latest.period_end_date, series.period_end_date)
        / latest.months_per_period as x
    from series
    inner join latest
        on series.target_id = latest.target_id and series.scope = latest.scope
    where series.n_back <= {{ n_periods }}
),

fitted as (
    select
        target_id,
        scope,
        count(*) as n_periods_used,
        arg_min(period_id, x) as first_period_id,
        regr_slope(actual_value, x) as slope,
        regr_intercept(actual_value, x) as intercept
    from placed
    group by target_id, scope
),

-- the spread of the periods around the line: the residual standard deviation (n − 2 degrees
-- of freedom); the range is the projection ± twice that
spread as (
    select
        placed.target_id,
        placed.scope,
        sqrt(
            sum(power(placed.actual_value - (fitted.intercept + fitted.slope * placed.x), 2))
            / nullif(count(*) - 2, 0)
        ) as residual_spread
    from placed
    inner join fitted
        on placed.target_id = fitted.target_id and placed.scope = fitted.scope
    group by placed.target_id, placed.scope
),

trended as (
    select
        latest.*,
        fitted.n_periods_used,
        fitted.first_period_id,
        fitted.n_periods_used >= {{ min_periods }} as has_enough_periods,
        fitted.slope,
        fitted.intercept,
        spread.residual_spread,
        -- steps from the latest period to the deadline; none once the deadline is reached
        case
            when latest.deadline_date > latest.period_end_date
                then
                    date_diff('month', latest.period_end_date, latest.deadline_date)
                    / latest.months_per_period
        end as periods_to_deadline
    from latest
    inner join fitted
        on latest.target_id = fitted.target_id and latest.scope = fitted.scope
    inner join spread
        on latest.target_id = spread.target_id and latest.scope = spread.scope
),

-- a share cannot leave [0, 1] and a headcount cannot fall below 0; rounded to 6 decimals
-- so that an exact series projects to an exact figure
projected as (
    select
        *,
        case when has_enough_periods then round(slope, 6) end as trend_per_period,
        case when has_enough_periods then round(intercept, 6) end as trend_value_as_of,
        case when has_enough_periods then round(residual_spread, 6) end as spread_value,
        case
            when has_enough_periods and periods_to_deadline is not null
                then intercept + slope * periods_to_deadline
        end as line_at_deadline
    from trended
),

final as (
    select
        target_id || '|' || scope as target_trend_id,
        target_id,
        scope,
        is_restated,
        province_id,
        metric,
        is_year_to_date,
        is_share,
        period_id as as_of_period_id,
        period_end_date as as_of_end_date,
        actual_value as as_of_value,
        prior_period_id,
        prior_value,
        numerator as as_of_numerator,
        denominator as as_of_denominator,
        threshold_value,
        deadline_date,
        months_per_period,
        n_periods_used,
        first_period_id,
        has_enough_periods,
        trend_per_period,
        trend_value_as_of,
        spread_value,
        periods_to_deadline,
        cast(ceil(periods_to_deadline) as integer) as n_periods_remaining,
        {{ target_value_in_range('line_at_deadline', 'is_share') }} as projected_value,
        {{ target_value_in_range('line_at_deadline - 2 * spread_value', 'is_share') }}
            as projected_low,
        {{ target_value_in_range('line_at_deadline + 2 * spread_value', 'is_share') }}
            as projected_high
    from projected
)

select * from final
