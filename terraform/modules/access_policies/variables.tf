variable "grants" {
  description = <<-EOT
    Data access per component (e.g. spark, trino, dagster): warehouse layers it reads and
    writes (Glue database names), its access to streaming checkpoints (none, read or
    read_write) and whether it consumes from or produces to Kafka.
  EOT
  type = map(object({
    read_layers   = set(string)
    write_layers  = set(string)
    checkpoints   = string
    kafka_consume = bool
    kafka_produce = bool
  }))

  validation {
    condition     = alltrue([for g in values(var.grants) : contains(["none", "read", "read_write"], g.checkpoints)])
    error_message = "checkpoints must be one of none, read, read_write."
  }
}

variable "lake_bucket_arn" {
  description = "ARN of the lake bucket (warehouse/ and checkpoints/ prefixes)."
  type        = string
}

variable "kms_key_arn" {
  description = "ARN of the KMS key encrypting the lake."
  type        = string
}

variable "msk_cluster_arn" {
  description = "ARN of the MSK cluster; topic and group ARNs are derived from it."
  type        = string
}

variable "kafka_topic_patterns" {
  description = "Topic name patterns components may use (IAM wildcards allowed in names, e.g. ecommerce.*)."
  type        = list(string)
  default     = ["*"]

  validation {
    condition     = length(var.kafka_topic_patterns) > 0
    error_message = "Give at least one topic pattern."
  }
}

variable "kafka_group_patterns" {
  description = "Consumer group name patterns consumers may use."
  type        = list(string)
  default     = ["*"]

  validation {
    condition     = length(var.kafka_group_patterns) > 0
    error_message = "Give at least one consumer group pattern."
  }
}
