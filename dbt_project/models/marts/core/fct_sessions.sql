{{ config(
    materialized='incremental',
    incremental_strategy='replace_days',
    day_column='session_date',
    properties={"partitioning": "ARRAY['session_date']"},
) }}
-- One row per browsing session, on the UTC day it started, with its funnel steps and
-- the value of the order it ended in.
select
    s.session_id,
    s.session_date,
    s.session_start,
    s.session_end,
    s.duration_s,
    s.customer_id,
    s.channel,
    s.campaign_id,
    s.device,
    s.event_count,
    s.page_views,
    s.searches,
    s.products_viewed,
    s.cart_adds,
    s.viewed_product,
    s.reached_cart,
    s.reached_checkout,
    s.purchased,
    s.order_id,
    o.total as order_amount,
    s.crosses_midnight
from {{ ref('stg_sessions') }} as s
left join {{ ref('stg_orders') }} as o on o.order_id = s.order_id
where {{ day_window('s.session_date') }}
