variable "name" {
  description = "Name prefix of the environment, e.g. lakehouse-dev. Bucket names are <name>-<purpose>-<account id>."
  type        = string
}

variable "kms_key_arn" {
  description = "ARN of the KMS key encrypting the lake and artifacts buckets."
  type        = string
}

variable "force_destroy" {
  description = "Let terraform destroy delete non-empty buckets. Keep false wherever data matters."
  type        = bool
  default     = false
}

variable "noncurrent_version_retention_days" {
  description = "Days an overwritten or deleted object version is kept before S3 expires it."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_version_retention_days >= 1
    error_message = "noncurrent_version_retention_days must be at least 1."
  }
}

variable "warehouse_intelligent_tiering_after_days" {
  description = "Days after which table files move to S3 Intelligent-Tiering."
  type        = number
  default     = 30

  validation {
    condition     = var.warehouse_intelligent_tiering_after_days >= 0
    error_message = "warehouse_intelligent_tiering_after_days must not be negative."
  }
}

variable "log_retention_days" {
  description = "Days access logs, flow logs and EMR logs are kept."
  type        = number
  default     = 365

  validation {
    condition     = var.log_retention_days >= 30
    error_message = "log_retention_days must be at least 30."
  }
}
