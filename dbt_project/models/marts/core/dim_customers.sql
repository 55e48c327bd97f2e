-- Customers as SCD type 2: one row per version, valid over [valid_from, valid_to).
-- Versions come from the silver change history ordered by event time (ties by event id),
-- so rebuilding or backfilling any day range gives the same history.
with versions as (
    select
        *,
        row_number() over (
            partition by customer_id order by changed_at, customer_event_id
        ) as version
    from {{ ref('stg_customers') }}
)

select
    cast(customer_id as varchar) || '-' || cast(version as varchar) as customer_key,
    customer_id,
    version,
    change_type,
    changed_fields,
    first_name,
    last_name,
    email,
    city,
    postcode,
    country,
    loyalty_tier,
    marketing_opt_in,
    signup_date,
    changed_at as valid_from,
    lead(changed_at) over (partition by customer_id order by version) as valid_to,
    lead(changed_at) over (partition by customer_id order by version) is null as is_current
from versions
