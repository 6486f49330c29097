-- DTI rank history against peers: the national Digital Transformation Index per year and
-- basis (63 provinces before the 2025 reorganisation, 34 after) for every province in the
-- published data, with the home province (the province of the reporting units, and the
-- province it merged into) flagged, and the published national mean. Scores are comparable
-- only within one methodology (is_methodology_break marks a new one). Only rows with
-- is_published were printed by a publication; value_source = 'warehouse_estimate' marks the
-- warehouse's own 34-basis averages, which officials' tables leave out.
with

scores as (
    select * from marts.fct_dti_scores
    where component = 'dti'
),

units as (
    select * from marts.dim_unit
),

crosswalk as (
    select * from marts.dim_province_crosswalk
),

national_means as (
    select * from reference.dti_national_means
),

-- units valid before the reorganisation carry 63-basis codes; the crosswalk gives the
-- 34-basis province they merged into
home_legacy as (
    select distinct units.province_id
    from units
    where units.valid_from < date '2025-07-01'
),

home_provinces as (
    select
        63 as basis,
        home_legacy.province_id
    from home_legacy
    union
    select
        34 as basis,
        crosswalk.province_id
    from crosswalk
    inner join home_legacy
        on crosswalk.legacy_province_id = home_legacy.province_id
    union
    select
        34 as basis,
        units.province_id
    from units
    where units.valid_from >= date '2025-07-01'
)

select
    scores.year,
    scores.basis,
    scores.province_id,
    scores.province_name,
    home_provinces.province_id is not null as is_home_province,
    scores.score,
    scores.rank,
    scores.n_ranked,
    scores.rank_change,
    scores.is_recomputed,
    scores.is_published,
    scores.value_source,
    scores.n_provinces_averaged,
    scores.methodology,
    scores.is_methodology_break,
    national_means.mean_dti as national_mean,
    round(scores.score - national_means.mean_dti, 4) as gap_to_national_mean
from scores
left join home_provinces
    on scores.basis = home_provinces.basis and scores.province_id = home_provinces.province_id
left join national_means
    on scores.year = national_means.year
order by scores.year, scores.basis, scores.rank nulls last, scores.province_name
