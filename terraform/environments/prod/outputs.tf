# One output per setting of the aws profile: output name == LakehouseSettings field,
# value == LAKEHOUSE_<NAME>. Nothing else is output here (tests/unit/test_terraform.py).

output "profile" {
  description = "LAKEHOUSE_PROFILE"
  value       = module.platform.profile
}

output "kafka_bootstrap_servers" {
  description = "LAKEHOUSE_KAFKA_BOOTSTRAP_SERVERS"
  value       = module.platform.kafka_bootstrap_servers
}

output "catalog_uri" {
  description = "LAKEHOUSE_CATALOG_URI"
  value       = module.platform.catalog_uri
}

output "catalog_warehouse_id" {
  description = "LAKEHOUSE_CATALOG_WAREHOUSE_ID"
  value       = module.platform.catalog_warehouse_id
}

output "warehouse" {
  description = "LAKEHOUSE_WAREHOUSE"
  value       = module.platform.warehouse
}

output "checkpoint_root" {
  description = "LAKEHOUSE_CHECKPOINT_ROOT"
  value       = module.platform.checkpoint_root
}

output "s3_region" {
  description = "LAKEHOUSE_S3_REGION"
  value       = module.platform.s3_region
}

output "trino_host" {
  description = "LAKEHOUSE_TRINO_HOST"
  value       = module.platform.trino_host
}

output "trino_port" {
  description = "LAKEHOUSE_TRINO_PORT"
  value       = module.platform.trino_port
}

output "trino_catalog" {
  description = "LAKEHOUSE_TRINO_CATALOG"
  value       = module.platform.trino_catalog
}

output "dagster_postgres_url" {
  description = "LAKEHOUSE_DAGSTER_POSTGRES_URL"
  value       = module.platform.dagster_postgres_url
}

output "spark_master" {
  description = "LAKEHOUSE_SPARK_MASTER"
  value       = module.platform.spark_master
}

output "spark_execution_role_arn" {
  description = "LAKEHOUSE_SPARK_EXECUTION_ROLE_ARN"
  value       = module.platform.spark_execution_role_arn
}

output "spark_artifacts_uri" {
  description = "LAKEHOUSE_SPARK_ARTIFACTS_URI"
  value       = module.platform.spark_artifacts_uri
}
