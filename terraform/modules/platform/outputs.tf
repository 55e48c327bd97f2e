# One output per LAKEHOUSE_* setting this deployment produces; the name is the
# settings field, the value what the Dagster containers get as LAKEHOUSE_<NAME>.

output "profile" {
  description = "Settings profile: always aws."
  value       = local.settings.profile
}

output "kafka_bootstrap_servers" {
  description = "MSK bootstrap servers for IAM authentication over TLS (port 9098)."
  value       = local.settings.kafka_bootstrap_servers
}

output "catalog_uri" {
  description = "Glue's Iceberg REST endpoint: https://glue.<region>.amazonaws.com/iceberg."
  value       = local.settings.catalog_uri
}

output "catalog_warehouse_id" {
  description = "Iceberg REST warehouse of the Glue catalog: the AWS account id."
  value       = local.settings.catalog_warehouse_id
}

output "warehouse" {
  description = "Root URI of the Iceberg tables: s3://<lake bucket>/warehouse."
  value       = local.settings.warehouse
}

output "checkpoint_root" {
  description = "Root URI of Spark streaming checkpoints: s3://<lake bucket>/checkpoints."
  value       = local.settings.checkpoint_root
}

output "s3_region" {
  description = "AWS region of the buckets, the catalog and every service."
  value       = local.settings.s3_region
}

output "trino_host" {
  description = "DNS name of the Trino coordinator inside the VPC."
  value       = local.settings.trino_host
}

output "trino_port" {
  description = "HTTP port of the Trino coordinator."
  value       = local.settings.trino_port
}

output "trino_catalog" {
  description = "Name of the Iceberg catalog in Trino."
  value       = local.settings.trino_catalog
}

output "dagster_postgres_url" {
  description = "Dagster storage URL without password (libpq takes it from PGPASSWORD, injected from Secrets Manager)."
  value       = local.settings.dagster_postgres_url
}

output "spark_master" {
  description = "Where Spark jobs run: emr-serverless://<EMR Serverless application id>."
  value       = local.settings.spark_master
}

output "spark_execution_role_arn" {
  description = "IAM role EMR Serverless jobs run as (to pass on StartJobRun)."
  value       = local.settings.spark_execution_role_arn
}

output "spark_artifacts_uri" {
  description = "S3 prefix for Spark entry points and jars: s3://<artifacts bucket>/spark."
  value       = local.settings.spark_artifacts_uri
}

output "settings_env" {
  description = "All of the above as LAKEHOUSE_* environment variables (a .env file for the aws profile)."
  value       = { for k, v in local.settings : "LAKEHOUSE_${upper(k)}" => v }
}


# --- Not settings: for operators ---------------------------------------------------

output "webserver_url" {
  description = "URL of the Dagster UI on the internal load balancer."
  value       = module.orchestration.webserver_url
}

output "repository_urls" {
  description = "ECR repository URL per image: dagster, trino."
  value       = module.registry.repository_urls
}

output "database_secret_arn" {
  description = "Secrets Manager secret holding the database credentials (managed by RDS)."
  value       = module.orchestration.database_secret_arn
}
