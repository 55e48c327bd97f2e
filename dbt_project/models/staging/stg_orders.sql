-- One row per placed order, in the words the marts use.
select
    order_id,
    customer_id,
    session_id,
    channel,
    campaign_id,
    device,
    payment_method,
    event_time as order_ts,
    event_date as order_date,
    subtotal,
    discount,
    shipping,
    total,
    currency,
    shipping_address_city as shipping_city,
    shipping_address_country as shipping_country,
    gift_wrap,
    line_count,
    unit_count,
    schema_version
from {{ source('silver', 'orders') }}
