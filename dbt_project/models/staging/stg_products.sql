-- Product launches (full attributes) and price changes (product and price only).
select
    event_id as product_event_id,
    product_id,
    case event_type
        when 'product_created' then 'created'
        when 'product_price_changed' then 'price_changed'
    end as change_type,
    sku,
    name as product_name,
    category,
    subcategory,
    brand,
    cost,
    price,
    event_time as changed_at
from {{ source('silver', 'products') }}
