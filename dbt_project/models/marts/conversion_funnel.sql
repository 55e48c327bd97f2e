-- One row per day and channel: how many sessions reached each funnel step, and the rate
-- from each step to the next (a session counts at every step it reached).
with steps as (
    select
        session_date,
        channel,
        count(*) as sessions,
        count_if(viewed_product) as product_view_sessions,
        count_if(reached_cart) as cart_sessions,
        count_if(reached_checkout) as checkout_sessions,
        count_if(purchased) as purchase_sessions
    from {{ ref('fct_sessions') }}
    group by session_date, channel
)

select
    *,
    cast(product_view_sessions as double) / sessions as product_view_rate,
    cast(cart_sessions as double) / nullif(product_view_sessions, 0) as cart_rate,
    cast(checkout_sessions as double) / nullif(cart_sessions, 0) as checkout_rate,
    cast(purchase_sessions as double) / nullif(checkout_sessions, 0) as purchase_rate,
    cast(purchase_sessions as double) / sessions as conversion_rate
from steps
