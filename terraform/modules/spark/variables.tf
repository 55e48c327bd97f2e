variable "name" {
  description = "Name prefix of the environment, e.g. lakehouse-dev."
  type        = string
}

variable "release_label" {
  description = "EMR release of the application. emr-spark-8.0.0 is Spark 4.0.2 with Iceberg 1.10.1 (the 7.x releases are Spark 3.5); jobs must ship jars built for that Spark."
  type        = string
  default     = "emr-spark-8.0.0"

  validation {
    condition     = can(regex("^emr-(spark-)?[0-9]+\\.[0-9]+\\.[0-9]+$", var.release_label))
    error_message = "release_label must look like emr-spark-8.0.0 or emr-7.9.0."
  }
}

variable "architecture" {
  description = "CPU architecture of the workers: X86_64 or ARM64 (Graviton, cheaper)."
  type        = string
  default     = "X86_64"

  validation {
    condition     = contains(["X86_64", "ARM64"], var.architecture)
    error_message = "architecture must be X86_64 or ARM64."
  }
}

variable "max_vcpu" {
  description = "Upper bound of vCPUs all running jobs of the application may use together."
  type        = number
  default     = 16

  validation {
    condition     = var.max_vcpu >= 1 && var.max_vcpu <= 4000
    error_message = "max_vcpu must be between 1 and 4000."
  }
}

variable "max_memory_gb" {
  description = "Upper bound of memory (GB) all running jobs of the application may use together."
  type        = number
  default     = 64

  validation {
    condition     = var.max_memory_gb >= 2
    error_message = "max_memory_gb must be at least 2."
  }
}

variable "idle_timeout_minutes" {
  description = "Minutes without jobs after which the application stops."
  type        = number
  default     = 15

  validation {
    condition     = var.idle_timeout_minutes >= 1 && var.idle_timeout_minutes <= 10080
    error_message = "idle_timeout_minutes must be between 1 and 10080."
  }
}

variable "subnet_ids" {
  description = "Private subnets the Spark workers run in."
  type        = list(string)
}

variable "security_group_id" {
  description = "Security group of the Spark workers."
  type        = string
}

variable "artifacts_bucket_name" {
  description = "Bucket holding job code under spark/ and logs under emr-logs/."
  type        = string
}

variable "artifacts_bucket_arn" {
  description = "ARN of the artifacts bucket."
  type        = string
}

variable "kms_key_arn" {
  description = "ARN of the KMS key encrypting logs."
  type        = string
}

variable "data_access_policy_json" {
  description = "IAM policy (JSON) giving the jobs their access to tables, checkpoints and Kafka."
  type        = string
}

variable "log_retention_days" {
  description = "Days job logs are kept in CloudWatch Logs."
  type        = number
  default     = 365
}
