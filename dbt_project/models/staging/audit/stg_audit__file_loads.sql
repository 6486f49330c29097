with

source as (
    select * from {{ source('audit', 'file_loads') }}
),

renamed as (
    select
        source_file || ':' || sha256 as file_load_id,
        sha256 as file_id,
        source_file,
        batch_id,
        arrival_seq,
        status,
        unit_code as unit_id,
        period_id,
        rows_read as n_rows_read,
        rows_loaded as n_rows_loaded,
        rows_quarantined as n_rows_quarantined,
        loaded_at
    from source
),

final as (select * from renamed)

select * from final
