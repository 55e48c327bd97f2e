{#- Incremental strategy `replace_days`: replace the run's days with what the model
    selects for them. Trino's Iceberg connector has no insert_overwrite; dbt-trino's
    delete+insert deletes only the keys the new rows carry, so a day whose rows vanished
    upstream would keep stale rows. This deletes the whole window (whole partitions, so
    Trino drops files without rewriting any), then, when the model sets `unique_key`,
    the rows of other days the new rows replace (an order placed earlier and cancelled
    in the window: a row-level delete of those few rows), then inserts. A reader between
    the statements sees the window empty. -#}
{% macro get_incremental_replace_days_sql(arg_dict) %}
    {%- set target = arg_dict["target_relation"] -%}
    {%- set source = arg_dict["temp_relation"] -%}
    {%- set unique_key = arg_dict["unique_key"] -%}
    {%- set day_column = config.require("day_column") -%}
    {%- set columns = get_quoted_csv(arg_dict["dest_columns"] | map(attribute="name")) -%}
    delete from {{ target }}
    where {{ day_window(day_column) }};
    {%- if unique_key %}

    delete from {{ target }}
    where {{ unique_key }} in (select {{ unique_key }} from {{ source }});
    {%- endif %}

    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ source }}
{% endmacro %}
