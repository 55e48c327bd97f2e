-- Per order, what cancellations and returns took back, as known from every day built.
select
    order_id,
    count_if(kind = 'cancellation') > 0 as is_cancelled,
    count_if(kind = 'return') as return_count,
    coalesce(sum(refund_amount) filter (where kind = 'cancellation'), 0) as cancelled_amount,
    coalesce(sum(refund_amount) filter (where kind = 'return'), 0) as returned_amount,
    coalesce(sum(returned_units), 0) as returned_units,
    max(event_ts) as last_adjusted_at
from {{ ref('stg_order_events') }}
group by order_id
