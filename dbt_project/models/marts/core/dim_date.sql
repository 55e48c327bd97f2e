-- One row per calendar day from the first to the last day any fact has.
with bounds as (
    select min(day) as first_day, max(day) as last_day
    from (
        select session_date as day from {{ ref('stg_sessions') }}
        union all
        select order_date from {{ ref('stg_orders') }}
        union all
        select payment_date from {{ ref('stg_payments') }}
    )
)

select
    date_day,
    year(date_day) as year,
    quarter(date_day) as quarter,
    month(date_day) as month,
    format_datetime(date_day, 'MMMM') as month_name,
    date_trunc('month', date_day) as month_start,
    week_of_year(date_day) as iso_week,
    day_of_week(date_day) as day_of_week,
    format_datetime(date_day, 'EEEE') as day_name,
    day_of_week(date_day) in (6, 7) as is_weekend
from bounds
cross join unnest(sequence(first_day, last_day, interval '1' day)) as t (date_day)
