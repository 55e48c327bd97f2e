"""Gold: dbt models on Trino (staging views, intermediate, star schema and marts in
``gold``), loaded as Dagster assets with their tests as asset checks."""
