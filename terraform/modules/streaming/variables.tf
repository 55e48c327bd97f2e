variable "name" {
  description = "Name prefix of the environment, e.g. lakehouse-dev."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets of the brokers, one per availability zone."
  type        = list(string)
}

variable "security_group_id" {
  description = "Security group of the brokers."
  type        = string
}

variable "kms_key_arn" {
  description = "ARN of the KMS key encrypting broker storage and logs."
  type        = string
}

variable "kafka_version" {
  description = "Apache Kafka version of the cluster, as MSK names it."
  type        = string
  default     = "3.8.x"

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.([0-9]+|x)(\\.kraft)?$", var.kafka_version))
    error_message = "kafka_version must look like 3.8.x or 3.6.0."
  }
}

variable "broker_instance_type" {
  description = "MSK broker instance type, e.g. kafka.t3.small (dev) or kafka.m7g.large (prod)."
  type        = string
  default     = "kafka.t3.small"

  validation {
    condition     = startswith(var.broker_instance_type, "kafka.")
    error_message = "broker_instance_type must be an MSK type such as kafka.m7g.large."
  }
}

variable "broker_count" {
  description = "Number of brokers; a multiple of the number of subnets."
  type        = number
  default     = 2

  validation {
    condition     = var.broker_count >= 2 && var.broker_count <= 15
    error_message = "broker_count must be between 2 and 15."
  }
}

variable "broker_volume_gb" {
  description = "EBS storage per broker in GiB."
  type        = number
  default     = 100

  validation {
    condition     = var.broker_volume_gb >= 10 && var.broker_volume_gb <= 16384
    error_message = "broker_volume_gb must be between 10 and 16384."
  }
}

variable "topic_defaults" {
  description = "Settings every new topic gets unless its creator says otherwise: partitions and retention in hours."
  type = object({
    partitions      = number
    retention_hours = number
  })
  default = {
    partitions      = 3
    retention_hours = 168
  }

  validation {
    condition     = var.topic_defaults.partitions >= 1 && var.topic_defaults.retention_hours >= 1
    error_message = "topic_defaults.partitions and retention_hours must be at least 1."
  }
}

variable "log_retention_days" {
  description = "Days broker logs are kept in CloudWatch Logs."
  type        = number
  default     = 365
}
