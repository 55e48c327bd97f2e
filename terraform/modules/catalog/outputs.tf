output "catalog_arn" {
  description = "ARN of the account's Glue Data Catalog."
  value       = "${local.glue_arn}:catalog"
}

output "database_names" {
  description = "Names of the Glue databases (Iceberg namespaces)."
  value       = sort([for db in aws_glue_catalog_database.layer : db.name])
}

output "catalog_uri" {
  description = "Glue's Iceberg REST endpoint in this region."
  value       = "https://glue.${local.region}.amazonaws.com/iceberg"
}

output "catalog_warehouse_id" {
  description = "Iceberg REST warehouse of the Glue catalog: the account id."
  value       = local.account_id
}
