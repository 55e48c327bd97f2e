-- One row per returned product line: the items of every return, unnested.
select
    e.order_event_id,
    e.order_id,
    e.event_date as return_date,
    r.product_id,
    r.quantity as returned_units,
    r.refund as refund_amount
from {{ ref('stg_order_events') }} as e
cross join unnest(e.returned_items) as r (product_id, quantity, refund)
where e.kind = 'return'
