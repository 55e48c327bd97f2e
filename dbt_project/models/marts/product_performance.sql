-- One row per product (current price): demand from the clickstream, sales from order
-- lines and what came back, over every day built.
with sales as (
    select
        product_id,
        count(distinct order_id) as orders,
        sum(quantity) as units_sold,
        sum(gross_amount) as gross_sales,
        sum(line_amount) as net_sales
    from {{ ref('fct_order_items') }}
    group by product_id
),

returns as (
    select product_id, sum(returned_units) as returned_units, sum(refund_amount) as refunded
    from {{ ref('int_product_returns') }}
    group by product_id
),

interest as (
    select
        product_id,
        count_if(event_type = 'product_view') as views,
        count_if(event_type = 'add_to_cart') as cart_adds
    from {{ ref('stg_clickstream_events') }}
    group by product_id
)

select
    p.product_id,
    p.product_name,
    p.category,
    p.subcategory,
    p.brand,
    p.price as current_price,
    coalesce(i.views, 0) as views,
    coalesce(i.cart_adds, 0) as cart_adds,
    coalesce(s.orders, 0) as orders,
    coalesce(s.units_sold, 0) as units_sold,
    coalesce(s.gross_sales, 0) as gross_sales,
    coalesce(s.net_sales, 0) as net_sales,
    coalesce(r.returned_units, 0) as returned_units,
    coalesce(r.refunded, 0) as refunded,
    cast(s.orders as double) / nullif(i.views, 0) as view_to_order_rate
from {{ ref('dim_products') }} as p
left join sales as s on s.product_id = p.product_id
left join returns as r on r.product_id = p.product_id
left join interest as i on i.product_id = p.product_id
where p.is_current
