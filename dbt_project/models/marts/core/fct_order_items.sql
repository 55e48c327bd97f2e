{{ config(
    materialized='incremental',
    incremental_strategy='replace_days',
    day_column='order_date',
    properties={"partitioning": "ARRAY['order_date']"},
) }}
-- One row per order line, on the day its order was placed.
select
    order_id,
    line_number,
    order_date,
    order_ts,
    customer_id,
    product_id,
    quantity,
    unit_price,
    quantity * unit_price as gross_amount,
    discount,
    line_amount
from {{ ref('stg_order_items') }}
where {{ day_window('order_date') }}
