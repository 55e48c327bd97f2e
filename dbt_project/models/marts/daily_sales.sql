-- One row per day: orders placed and their value, and the cash that moved that day.
-- Gross revenue is the value of the orders placed; net revenue is cash basis, captured
-- payments minus refunds paid out that day (a return refunds weeks after its order).
with orders as (
    select
        order_date as sales_date,
        count(*) as orders,
        sum(units) as units,
        sum(subtotal) as subtotal,
        sum(discount) as discounts,
        sum(shipping) as shipping,
        sum(gross_amount) as gross_revenue
    from {{ ref('fct_orders') }}
    group by order_date
),

payments as (
    select
        payment_date as sales_date,
        coalesce(sum(amount) filter (where payment_status = 'captured'), 0) as captured,
        coalesce(sum(amount) filter (where payment_status = 'refunded'), 0) as refunds,
        count_if(payment_status = 'refunded') as refund_count
    from {{ ref('fct_payments') }}
    group by payment_date
),

adjustments as (
    select
        event_date as sales_date,
        count_if(kind = 'cancellation') as cancellations,
        count_if(kind = 'return') as returns
    from {{ ref('stg_order_events') }}
    group by event_date
)

select
    d.date_day as sales_date,
    coalesce(o.orders, 0) as orders,
    coalesce(o.units, 0) as units,
    coalesce(o.subtotal, 0) as subtotal,
    coalesce(o.discounts, 0) as discounts,
    coalesce(o.shipping, 0) as shipping,
    coalesce(o.gross_revenue, 0) as gross_revenue,
    coalesce(p.captured, 0) as captured,
    coalesce(p.refunds, 0) as refunds,
    coalesce(p.captured, 0) - coalesce(p.refunds, 0) as net_revenue,
    coalesce(p.refund_count, 0) as refund_count,
    coalesce(a.cancellations, 0) as cancellations,
    coalesce(a.returns, 0) as returns,
    cast(round(o.gross_revenue / nullif(o.orders, 0), 2) as decimal(12, 2)) as average_order_value
from {{ ref('dim_date') }} as d
left join orders as o on o.sales_date = d.date_day
left join payments as p on p.sales_date = d.date_day
left join adjustments as a on a.sales_date = d.date_day
