-- Products with their price history: one row per list price a product had, valid over
-- [valid_from, valid_to). Attributes come from the launch; prices from the launch and
-- every price change, in event time order.
with launches as (
    select product_id, sku, product_name, category, subcategory, brand, cost
    from {{ ref('stg_products') }}
    where change_type = 'created'
),

prices as (
    select
        product_id,
        price,
        changed_at,
        row_number() over (
            partition by product_id order by changed_at, product_event_id
        ) as version
    from {{ ref('stg_products') }}
)

select
    cast(p.product_id as varchar) || '-' || cast(p.version as varchar) as product_key,
    p.product_id,
    p.version,
    l.sku,
    l.product_name,
    l.category,
    l.subcategory,
    l.brand,
    l.cost,
    p.price,
    lag(p.price) over (partition by p.product_id order by p.version) as previous_price,
    p.changed_at as valid_from,
    lead(p.changed_at) over (partition by p.product_id order by p.version) as valid_to,
    lead(p.changed_at) over (partition by p.product_id order by p.version) is null as is_current
from prices as p
left join launches as l on l.product_id = p.product_id
