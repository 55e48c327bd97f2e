-- One row per monthly signup cohort and month since signup: how many of the cohort
-- ordered in that month. Month 0 is the signup month; every cohort has its month-0 row.
with cohorts as (
    select customer_id, date_trunc('month', signup_date) as cohort_month
    from {{ ref('dim_customers') }}
    where is_current
),

sizes as (
    select cohort_month, count(*) as cohort_size
    from cohorts
    group by cohort_month
),

activity as (
    select
        c.cohort_month,
        date_diff('month', c.cohort_month, date_trunc('month', o.order_date)) as months_since_signup,
        count(distinct o.customer_id) as active_customers,
        count(*) as orders,
        sum(o.net_amount) as net_revenue
    from {{ ref('fct_orders') }} as o
    inner join cohorts as c on c.customer_id = o.customer_id
    group by 1, 2
),

grid as (
    select cohort_month, months_since_signup
    from activity
    union
    select cohort_month, 0
    from sizes
)

select
    g.cohort_month,
    g.months_since_signup,
    s.cohort_size,
    coalesce(a.active_customers, 0) as active_customers,
    coalesce(a.orders, 0) as orders,
    coalesce(a.net_revenue, 0) as net_revenue,
    cast(coalesce(a.active_customers, 0) as double) / s.cohort_size as retention_rate
from grid as g
inner join sizes as s on s.cohort_month = g.cohort_month
left join activity as a
    on a.cohort_month = g.cohort_month and a.months_since_signup = g.months_since_signup
