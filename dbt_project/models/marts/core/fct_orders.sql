{{ config(
    materialized='incremental',
    incremental_strategy='replace_days',
    day_column='order_date',
    unique_key='order_id',
    properties={"partitioning": "ARRAY['order_date']"},
) }}
-- One row per placed order, net of its cancellation and returns. A run builds the orders
-- placed in its days, and re-states older orders a cancellation or return in its days
-- touched (their rows move in with the new figures; see the replace_days strategy).
with touched as (
    select distinct order_id
    from {{ ref('stg_order_events') }}
    where {{ day_window('event_date') }}
)

select
    o.order_id,
    o.order_date,
    o.order_ts,
    o.customer_id,
    o.session_id,
    o.channel,
    o.campaign_id,
    o.device,
    o.payment_method,
    o.shipping_country,
    o.line_count,
    o.unit_count as units,
    o.subtotal,
    o.discount,
    o.shipping,
    o.total as gross_amount,
    coalesce(a.is_cancelled, false) as is_cancelled,
    coalesce(a.cancelled_amount, 0) as cancelled_amount,
    coalesce(a.returned_amount, 0) as returned_amount,
    coalesce(a.returned_units, 0) as returned_units,
    o.total - coalesce(a.cancelled_amount, 0) - coalesce(a.returned_amount, 0) as net_amount,
    case
        when a.is_cancelled then 'cancelled'
        when a.return_count > 0 then 'returned'
        else 'placed'
    end as order_status
from {{ ref('stg_orders') }} as o
left join {{ ref('int_order_adjustments') }} as a on a.order_id = o.order_id
where {{ day_window('o.order_date') }}
    or o.order_id in (select order_id from touched)
