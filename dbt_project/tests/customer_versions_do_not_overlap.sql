-- The versions of a customer tile time: no two intervals [valid_from, valid_to) overlap.
select
    a.customer_id,
    a.customer_key,
    b.customer_key as overlapping_key,
    a.valid_from,
    a.valid_to,
    b.valid_from as overlapping_from,
    b.valid_to as overlapping_to
from {{ ref('dim_customers') }} as a
inner join {{ ref('dim_customers') }} as b
    on a.customer_id = b.customer_id
    and a.customer_key < b.customer_key
    and a.valid_from < coalesce(b.valid_to, timestamp '9999-12-31 00:00:00 UTC')
    and b.valid_from < coalesce(a.valid_to, timestamp '9999-12-31 00:00:00 UTC')
