with

source as (
    select * from {{ source('dti', 'dti_publications') }}
),

renamed as (
    select
        publication_id,
        source_file,
        file_format,
        year,
        basis,
        is_partial,
        n_rows,
        source,
        arrival_seq,
        loaded_at
    from source
),

final as (select * from renamed)

select * from final
