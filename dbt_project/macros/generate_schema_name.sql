{#- A model's `schema` config is the Trino schema it lands in, as written: `schema: gold`
    means `gold`, not dbt's default `<target schema>_gold`. Without a config, the target's
    schema (gold). -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
