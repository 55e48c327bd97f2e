{{ config(meta={'dagster': {'ref': {'name': 'daily_sales'}}}) }}
-- A day's net revenue is the payments captured that day minus the refunds paid out.
with cash as (
    select
        payment_date,
        coalesce(sum(amount) filter (where payment_status = 'captured'), 0)
        - coalesce(sum(amount) filter (where payment_status = 'refunded'), 0) as net
    from {{ ref('fct_payments') }}
    group by payment_date
)

select d.sales_date, d.net_revenue, coalesce(c.net, 0) as captured_minus_refunded
from {{ ref('daily_sales') }} as d
left join cash as c on c.payment_date = d.sales_date
where d.net_revenue <> coalesce(c.net, 0)
