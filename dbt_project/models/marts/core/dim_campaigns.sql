-- One row per marketing campaign.
select
    campaign_id,
    campaign_name,
    channel,
    start_date,
    end_date,
    date_diff('day', start_date, end_date) + 1 as duration_days,
    discount_pct,
    budget
from {{ ref('stg_campaigns') }}
