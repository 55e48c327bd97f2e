select
    campaign_id,
    name as campaign_name,
    channel,
    start_date,
    end_date,
    discount_pct,
    budget
from {{ source('silver', 'campaigns') }}
