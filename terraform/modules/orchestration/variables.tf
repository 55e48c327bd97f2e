variable "name" {
  description = "Name prefix of the environment, e.g. lakehouse-dev."
  type        = string
}

variable "vpc_id" {
  description = "Id of the VPC."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets of the tasks, the database and the load balancer."
  type        = list(string)
}

variable "dagster_security_group_id" {
  description = "Security group of the Dagster tasks."
  type        = string
}

variable "alb_security_group_id" {
  description = "Security group of the internal load balancer."
  type        = string
}

variable "postgres_security_group_id" {
  description = "Security group of the database."
  type        = string
}

variable "service_discovery_namespace_id" {
  description = "Private DNS namespace the code location registers in."
  type        = string
}

variable "service_discovery_namespace_name" {
  description = "Domain of that namespace, e.g. lakehouse-dev.internal."
  type        = string
}

variable "kms_key_arn" {
  description = "ARN of the KMS key encrypting the database, its secret and the logs."
  type        = string
}

variable "image" {
  description = "Dagster image (the project's Dockerfile) as <ECR repository URL>:<tag>."
  type        = string
}

variable "ecr_repository_arn" {
  description = "ARN of the ECR repository the image is pulled from."
  type        = string
}

variable "environment" {
  description = "Environment variables of every Dagster container: the LAKEHOUSE_* settings."
  type        = map(string)
}

variable "code_location_module" {
  description = "Python module holding the Dagster Definitions."
  type        = string
  default     = "ecommerce_assets.definitions"
}

variable "task_sizes" {
  description = "Fargate CPU units and memory (MiB) per service: webserver, daemon, code-location."
  type = map(object({
    cpu    = number
    memory = number
  }))
  default = {
    webserver     = { cpu = 512, memory = 1024 }
    daemon        = { cpu = 512, memory = 1024 }
    code-location = { cpu = 1024, memory = 4096 }
  }

  validation {
    condition     = alltrue([for s in ["webserver", "daemon", "code-location"] : contains(keys(var.task_sizes), s)])
    error_message = "task_sizes needs entries for webserver, daemon and code-location."
  }
}

variable "data_access_policy_json" {
  description = "IAM policy (JSON) giving the code location its access to tables, checkpoints and Kafka."
  type        = string
}

variable "spark_application_arn" {
  description = "ARN of the EMR Serverless application the code location submits jobs to."
  type        = string
}

variable "spark_job_role_arn" {
  description = "ARN of the role Spark jobs run as (passed on job submission)."
  type        = string
}

variable "spark_log_group_arn" {
  description = "ARN of the CloudWatch log group of the Spark jobs."
  type        = string
}

variable "artifacts_bucket_arn" {
  description = "ARN of the artifacts bucket (job code under spark/, logs under emr-logs/)."
  type        = string
}

variable "logs_bucket_name" {
  description = "Bucket receiving the load balancer's access logs."
  type        = string
}

variable "certificate_arn" {
  description = "ACM certificate of the Dagster UI's HTTPS listener."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:acm:", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN."
  }
}

variable "alb_deletion_protection" {
  description = "Protect the load balancer from deletion."
  type        = bool
  default     = true
}

variable "postgres_major_version" {
  description = "Major version of PostgreSQL."
  type        = string
  default     = "16"

  validation {
    condition     = can(regex("^1[4-7]$", var.postgres_major_version))
    error_message = "postgres_major_version must be 14 to 17."
  }
}

variable "db_instance_class" {
  description = "RDS instance class of Dagster's database."
  type        = string
  default     = "db.t4g.small"

  validation {
    condition     = startswith(var.db_instance_class, "db.")
    error_message = "db_instance_class must be an RDS class such as db.t4g.small."
  }
}

variable "db_allocated_storage_gb" {
  description = "Initial storage of the database in GiB (autoscaling up to five times this)."
  type        = number
  default     = 20

  validation {
    condition     = var.db_allocated_storage_gb >= 20
    error_message = "db_allocated_storage_gb must be at least 20."
  }
}

variable "db_multi_az" {
  description = "Run a standby of the database in a second availability zone."
  type        = bool
  default     = false
}

variable "db_backup_retention_days" {
  description = "Days automated backups are kept."
  type        = number
  default     = 7

  validation {
    condition     = var.db_backup_retention_days >= 1 && var.db_backup_retention_days <= 35
    error_message = "db_backup_retention_days must be between 1 and 35."
  }
}

variable "db_deletion_protection" {
  description = "Protect the database from deletion; when false, destroy skips the final snapshot."
  type        = bool
  default     = true
}

variable "db_final_snapshot" {
  description = "Take a final snapshot when the database is destroyed."
  type        = bool
  default     = true
}

variable "log_retention_days" {
  description = "Days container logs are kept in CloudWatch Logs."
  type        = number
  default     = 365
}
