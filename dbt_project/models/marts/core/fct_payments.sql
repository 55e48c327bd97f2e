{{ config(
    materialized='incremental',
    incremental_strategy='replace_days',
    day_column='payment_date',
    properties={"partitioning": "ARRAY['payment_date']"},
) }}
-- One row per payment event (captured, declined, refunded), on the day it happened.
select
    payment_event_id,
    payment_id,
    payment_date,
    payment_ts,
    payment_status,
    order_id,
    customer_id,
    payment_method,
    amount,
    signed_amount,
    currency,
    decline_reason,
    refund_reason
from {{ ref('stg_payments') }}
where {{ day_window('payment_date') }}
