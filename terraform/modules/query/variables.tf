variable "name" {
  description = "Name prefix of the environment, e.g. lakehouse-dev."
  type        = string
}

variable "cluster_arn" {
  description = "ECS cluster the Trino services run in."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets of the Trino tasks."
  type        = list(string)
}

variable "security_group_id" {
  description = "Security group of the Trino tasks."
  type        = string
}

variable "service_discovery_namespace_id" {
  description = "Private DNS namespace the coordinator registers in."
  type        = string
}

variable "service_discovery_namespace_name" {
  description = "Domain of that namespace, e.g. lakehouse-dev.internal."
  type        = string
}

variable "image" {
  description = "Trino image as <ECR repository URL>:<tag> (a mirror of trinodb/trino)."
  type        = string
}

variable "ecr_repository_arn" {
  description = "ARN of the ECR repository the image is pulled from."
  type        = string
}

variable "kms_key_arn" {
  description = "ARN of the KMS key encrypting the logs."
  type        = string
}

variable "catalog_name" {
  description = "Name of the Iceberg catalog in Trino (the trino_catalog setting)."
  type        = string
  default     = "iceberg"

  validation {
    condition     = can(regex("^[a-z_][a-z0-9_]*$", var.catalog_name))
    error_message = "catalog_name must be a lowercase identifier."
  }
}

variable "catalog_uri" {
  description = "Iceberg REST endpoint of the Glue catalog."
  type        = string
}

variable "catalog_warehouse_id" {
  description = "Iceberg REST warehouse of the Glue catalog (the account id)."
  type        = string
}

variable "worker_count" {
  description = "Number of Trino workers; 0 lets the coordinator run queries itself."
  type        = number
  default     = 0

  validation {
    condition     = var.worker_count >= 0 && var.worker_count <= 50
    error_message = "worker_count must be between 0 and 50."
  }
}

variable "task_sizes" {
  description = "Fargate CPU units and memory (MiB) of the coordinator and of each worker."
  type = map(object({
    cpu    = number
    memory = number
  }))
  default = {
    coordinator = { cpu = 2048, memory = 8192 }
    worker      = { cpu = 4096, memory = 16384 }
  }

  validation {
    condition     = contains(keys(var.task_sizes), "coordinator") && contains(keys(var.task_sizes), "worker")
    error_message = "task_sizes needs entries for coordinator and worker."
  }
}

variable "heap_percent" {
  description = "Share of the task memory given to the JVM heap."
  type        = number
  default     = 75

  validation {
    condition     = var.heap_percent >= 50 && var.heap_percent <= 85
    error_message = "heap_percent must be between 50 and 85."
  }
}

variable "query_max_memory" {
  description = "Trino query.max-memory: the most memory one query may use across the cluster."
  type        = string
  default     = "4GB"

  validation {
    condition     = can(regex("^[0-9]+(MB|GB|TB)$", var.query_max_memory))
    error_message = "query_max_memory must look like 4GB."
  }
}

variable "data_access_policy_json" {
  description = "IAM policy (JSON) giving Trino its access to tables."
  type        = string
}

variable "log_retention_days" {
  description = "Days Trino logs are kept in CloudWatch Logs."
  type        = number
  default     = 365
}
