-- One row per browsing session, on the UTC day it started.
select
    session_id,
    event_date as session_date,
    session_start,
    session_end,
    duration_s,
    event_count,
    page_views,
    searches,
    products_viewed,
    cart_adds,
    products_viewed > 0 as viewed_product,
    reached_cart,
    reached_checkout,
    purchased,
    order_id,
    customer_id,
    channel,
    campaign_id,
    device,
    crosses_midnight
from {{ source('silver', 'sessions') }}
