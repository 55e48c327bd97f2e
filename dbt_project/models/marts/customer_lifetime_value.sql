-- One row per customer (current profile): what they spent over every day built.
-- Net revenue is the value of their orders minus every refund they received.
select
    c.customer_id,
    c.loyalty_tier,
    c.country,
    c.signup_date,
    coalesce(o.orders, 0) as orders,
    o.first_order_date,
    o.last_order_date,
    coalesce(o.gross_revenue, 0) as gross_revenue,
    coalesce(o.refunded, 0) as refunded,
    coalesce(o.net_revenue, 0) as net_revenue,
    cast(round(o.net_revenue / nullif(o.orders, 0), 2) as decimal(12, 2)) as average_order_value
from {{ ref('dim_customers') }} as c
left join {{ ref('int_customer_orders') }} as o on o.customer_id = c.customer_id
where c.is_current
