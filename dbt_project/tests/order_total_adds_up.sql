{{ config(meta={'dagster': {'ref': {'name': 'fct_orders'}}}) }}
-- Every order's total is its items (quantity x unit price) - discount + shipping, and
-- its discount is its lines' discounts: one row per order where either is off.
with lines as (
    select order_id, sum(gross_amount) as items, sum(discount) as line_discounts
    from {{ ref('fct_order_items') }}
    group by order_id
)

select
    o.order_id,
    o.order_date,
    o.gross_amount as total,
    coalesce(l.items, 0) - o.discount + o.shipping as expected_total,
    o.discount,
    l.line_discounts
from {{ ref('fct_orders') }} as o
left join lines as l on l.order_id = o.order_id
where {{ day_window('o.order_date') }}
    and (
        l.order_id is null
        or o.gross_amount <> l.items - o.discount + o.shipping
        or o.discount <> l.line_discounts
    )
