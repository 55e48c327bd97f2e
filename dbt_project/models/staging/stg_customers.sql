-- Every version of a customer: each event carries the full profile as of its time.
select
    event_id as customer_event_id,
    customer_id,
    case event_type
        when 'customer_created' then 'created'
        when 'customer_updated' then 'updated'
    end as change_type,
    first_name,
    last_name,
    email,
    address_city as city,
    address_postcode as postcode,
    address_country as country,
    loyalty_tier,
    marketing_opt_in,
    signup_date,
    changed_fields,
    event_time as changed_at
from {{ source('silver', 'customers') }}
