-- Each order with the customer's first session at or before it: the first touch.
-- Ties on start time go to the smaller session id, so a rebuild picks the same one.
with candidates as (
    select
        o.order_id,
        s.channel,
        s.campaign_id,
        row_number() over (
            partition by o.order_id order by s.session_start, s.session_id
        ) as touch
    from {{ ref('stg_orders') }} as o
    inner join {{ ref('stg_sessions') }} as s
        on s.customer_id = o.customer_id and s.session_start <= o.order_ts
)

select
    o.order_id,
    coalesce(c.channel, o.channel) as channel,
    case when c.order_id is null then o.campaign_id else c.campaign_id end as campaign_id
from {{ ref('stg_orders') }} as o
left join candidates as c on c.order_id = o.order_id and c.touch = 1
