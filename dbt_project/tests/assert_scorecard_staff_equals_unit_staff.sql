-- The scorecard's province totals are the sums of the units' staff in fct_staffing, and the
-- dedicated and concurrent staff add up to the headcount wherever both are known (the plan's
-- 2023 figure: 80 = 48 + 32). Returns the province-periods that break either rule.
with

scorecard as (
    select * from {{ ref('fct_province_scorecard') }}
),

staffing as (
    select * from {{ ref('fct_staffing') }}
),

unit_totals as (
    select
        province_id,
        period_id,
        sum(n_staff) as n_staff
    from staffing
    group by province_id, period_id
),

broken as (
    select
        scorecard.province_id,
        scorecard.period_id,
        scorecard.n_staff,
        unit_totals.n_staff as n_staff_of_units,
        scorecard.n_dedicated,
        scorecard.n_concurrent
    from scorecard
    left join unit_totals
        on
            scorecard.province_id = unit_totals.province_id
            and scorecard.period_id = unit_totals.period_id
    where
        scorecard.n_staff <> coalesce(unit_totals.n_staff, 0)
        or scorecard.n_dedicated + scorecard.n_concurrent <> scorecard.n_staff
)

select * from broken
