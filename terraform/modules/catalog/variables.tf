variable "databases" {
  description = "Glue databases (Iceberg namespaces) to create, name => description. The code expects bronze, silver and gold."
  type        = map(string)
  default = {
    bronze = "Raw events as they arrived, with Kafka coordinates and ingestion time"
    silver = "Typed, deduplicated, validated and conformed data; sessionized clickstream"
    gold   = "Star schema and marts built by dbt on Trino"
  }

  validation {
    condition     = alltrue([for n in keys(var.databases) : can(regex("^[a-z_][a-z0-9_]*$", n))])
    error_message = "Database names must be lowercase identifiers (letters, digits, underscores)."
  }
}

variable "warehouse_uri" {
  description = "Root URI of the Iceberg tables, e.g. s3://bucket/warehouse."
  type        = string

  validation {
    condition     = startswith(var.warehouse_uri, "s3://")
    error_message = "warehouse_uri must be an s3:// URI."
  }
}

variable "kms_key_arn" {
  description = "ARN of the KMS key encrypting the Data Catalog when manage_catalog_encryption is true."
  type        = string
}

variable "manage_catalog_encryption" {
  description = "Manage the account-wide Glue Data Catalog encryption settings here. Set true in exactly one environment per account and region."
  type        = bool
  default     = true
}
