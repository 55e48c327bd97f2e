-- One row per payment event; `signed_amount` is what it does to the shop's cash.
select
    event_id as payment_event_id,
    payment_id,
    status as payment_status,
    order_id,
    customer_id,
    method as payment_method,
    amount,
    case status
        when 'captured' then amount
        when 'refunded' then -amount
        else cast(0 as decimal(12, 2))
    end as signed_amount,
    currency,
    decline_reason,
    refund_reason,
    event_time as payment_ts,
    event_date as payment_date
from {{ source('silver', 'payments') }}
