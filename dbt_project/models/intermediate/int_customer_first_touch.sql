-- Each order with the customer's first session at or before it: the first touch.
-- A customer's earliest session (ties on start time go to the smaller session id, so a
-- rebuild picks the same one) is that session whenever it started before the order;
-- otherwise none is known and the order's own session counts. One window over the
-- sessions, not a join of every order with every earlier session (that grows with the
-- square of the history).
with first_sessions as (
    select customer_id, channel, campaign_id, session_start
    from (
        select
            customer_id,
            channel,
            campaign_id,
            session_start,
            row_number() over (
                partition by customer_id order by session_start, session_id
            ) as visit
        from {{ ref('stg_sessions') }}
        where customer_id is not null
    )
    where visit = 1
)

select
    o.order_id,
    case when f.session_start <= o.order_ts then f.channel else o.channel end as channel,
    case
        when f.session_start <= o.order_ts then f.campaign_id else o.campaign_id
    end as campaign_id
from {{ ref('stg_orders') }} as o
left join first_sessions as f on f.customer_id = o.customer_id
