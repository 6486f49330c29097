with

source as (
    select * from {{ source('dti', 'dti_scores') }}
),

renamed as (
    select
        publication_id || ':' || cast(row_number as varchar) as score_row_id,
        publication_id,
        year,
        basis,
        province_id,
        province_name,
        province_name_printed,
        rank as dti_rank,
        n_ranked,
        dti,
        nhan_thuc_so,
        the_che_so,
        ha_tang_so,
        nhan_luc_so,
        an_toan_thong_tin_mang,
        hoat_dong_chinh_quyen_so,
        hoat_dong_kinh_te_so,
        hoat_dong_xa_hoi_so,
        tru_cot_chinh_quyen_so,
        hang_chinh_quyen_so,
        tru_cot_kinh_te_so,
        hang_kinh_te_so,
        tru_cot_xa_hoi_so,
        hang_xa_hoi_so,
        source
    from source
),

final as (select * from renamed)

select * from final
