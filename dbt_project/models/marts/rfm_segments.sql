-- One row per customer who ordered: recency, frequency and monetary scores (1-5, by
-- quintile; ties broken by customer id so a rebuild gives the same scores) and the
-- segment they put the customer in. Recency is counted back from the last order day
-- in the data, not today, so the result does not change with the calendar.
with customers as (
    select
        customer_id,
        last_order_date,
        orders as frequency,
        net_revenue as monetary,
        date_diff(
            'day', last_order_date, max(last_order_date) over ()
        ) as recency_days
    from {{ ref('int_customer_orders') }}
),

scored as (
    select
        *,
        ntile(5) over (order by recency_days desc, customer_id) as recency_score,
        ntile(5) over (order by frequency, customer_id) as frequency_score,
        ntile(5) over (order by monetary, customer_id) as monetary_score
    from customers
)

select
    customer_id,
    last_order_date,
    recency_days,
    frequency,
    monetary,
    recency_score,
    frequency_score,
    monetary_score,
    case
        when recency_score >= 4 and frequency_score >= 4 then 'champions'
        when frequency_score >= 4 then 'loyal'
        when recency_score <= 2 and frequency_score >= 3 then 'at_risk'
        when recency_score >= 4 then 'new'
        when recency_score <= 2 then 'hibernating'
        else 'potential'
    end as segment
from scored
