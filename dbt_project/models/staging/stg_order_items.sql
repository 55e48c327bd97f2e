-- One row per order line.
select
    order_id,
    line_number,
    customer_id,
    product_id,
    quantity,
    unit_price,
    discount,
    line_amount,
    event_time as order_ts,
    event_date as order_date
from {{ source('silver', 'order_items') }}
