{#- The days a run builds: [min_date, max_date), from the vars Dagster passes for a
    partition or a backfill's range. Without them (a `dbt build` by hand), every day. -#}
{% macro day_window(column) -%}
    {{ column }} >= date '{{ var("min_date", "0001-01-01") }}'
    and {{ column }} < date '{{ var("max_date", "9999-12-31") }}'
{%- endmacro %}
