-- Clickstream events that concern a product (views, cart changes, purchases).
select
    event_id,
    event_type,
    event_time,
    event_date,
    session_id,
    customer_id,
    product_id,
    quantity
from {{ source('silver', 'clickstream_events') }}
where product_id is not null
