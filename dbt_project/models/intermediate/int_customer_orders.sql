-- Per customer who ordered: orders, revenue and refunds over all days built.
with orders as (
    select
        customer_id,
        count(*) as orders,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date,
        sum(total) as gross_revenue
    from {{ ref('stg_orders') }}
    group by customer_id
),

refunds as (
    select customer_id, sum(amount) as refunded
    from {{ ref('stg_payments') }}
    where payment_status = 'refunded'
    group by customer_id
)

select
    o.customer_id,
    o.orders,
    o.first_order_date,
    o.last_order_date,
    o.gross_revenue,
    coalesce(r.refunded, 0) as refunded,
    o.gross_revenue - coalesce(r.refunded, 0) as net_revenue
from orders as o
left join refunds as r on r.customer_id = o.customer_id
