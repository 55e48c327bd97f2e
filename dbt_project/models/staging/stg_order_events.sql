-- Cancellations and returns of orders; `kind` says which.
select
    event_id as order_event_id,
    case event_type
        when 'order_cancelled' then 'cancellation'
        when 'order_returned' then 'return'
    end as kind,
    order_id,
    customer_id,
    reason,
    refund_amount,
    returned_units,
    items as returned_items,
    event_time as event_ts,
    event_date
from {{ source('silver', 'order_events') }}
