-- Order revenue credited to channels and campaigns two ways: last touch (the session the
-- order was placed in) and first touch (the customer's first session at or before the
-- order). Each order is credited once per model.
with touches as (
    select 'last_touch' as attribution_model, order_id, channel, campaign_id
    from {{ ref('fct_orders') }}
    union all
    select 'first_touch', order_id, channel, campaign_id
    from {{ ref('int_customer_first_touch') }}
)

select
    t.attribution_model,
    t.channel,
    t.campaign_id,
    count(*) as orders,
    sum(o.gross_amount) as gross_revenue,
    sum(o.net_amount) as net_revenue,
    cast(sum(o.gross_amount) as double)
    / sum(cast(sum(o.gross_amount) as double)) over (partition by t.attribution_model)
        as revenue_share
from touches as t
inner join {{ ref('fct_orders') }} as o on o.order_id = t.order_id
group by t.attribution_model, t.channel, t.campaign_id
