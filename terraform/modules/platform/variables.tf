# --- Identity ----------------------------------------------------------------------

variable "project" {
  description = "Project name, first part of every resource name."
  type        = string
  default     = "lakehouse"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,15}$", var.project))
    error_message = "project must be 2-16 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "environment" {
  description = "Environment name, e.g. dev or prod; resources are named <project>-<environment>."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,9}$", var.environment))
    error_message = "environment must be 2-10 lowercase letters or digits, starting with a letter."
  }
}

# --- Network and access ------------------------------------------------------------

variable "vpc_cidr" {
  description = "IPv4 /16 CIDR of the VPC."
  type        = string
  default     = "10.40.0.0/16"
}

variable "az_count" {
  description = "Number of availability zones used (2 or 3)."
  type        = number
  default     = 2
}

variable "enable_nat_gateway" {
  description = "Give private subnets outbound internet through one NAT gateway."
  type        = bool
  default     = true
}

variable "interface_endpoints" {
  description = "AWS services reached through interface VPC endpoints instead of the NAT gateway."
  type        = set(string)
  default     = []
}

variable "allowed_cidrs" {
  description = "CIDRs of the people who may reach the Dagster UI and Trino (VPN, office)."
  type        = list(string)
}

variable "webserver_certificate_arn" {
  description = "ACM certificate ARN for the Dagster UI's HTTPS listener."
  type        = string
}

# --- Data --------------------------------------------------------------------------

variable "databases" {
  description = "Glue databases (Iceberg namespaces), name => description. The grants in this module expect bronze, silver and gold."
  type        = map(string)
  default = {
    bronze = "Raw events as they arrived, with Kafka coordinates and ingestion time"
    silver = "Typed, deduplicated, validated and conformed data; sessionized clickstream"
    gold   = "Star schema and marts built by dbt on Trino"
  }

  validation {
    condition     = alltrue([for l in ["bronze", "silver", "gold"] : contains(keys(var.databases), l)])
    error_message = "databases must include bronze, silver and gold."
  }
}

variable "manage_catalog_encryption" {
  description = "Manage the account-wide Glue Data Catalog encryption here (true in one environment per account and region)."
  type        = bool
  default     = true
}

variable "noncurrent_version_retention_days" {
  description = "Days overwritten or deleted S3 object versions are kept."
  type        = number
  default     = 30
}

variable "force_destroy_data" {
  description = "Let terraform destroy delete non-empty buckets and image repositories, without a final database snapshot (dev only)."
  type        = bool
  default     = false
}

variable "deletion_protection" {
  description = "Protect the database and the load balancer from deletion."
  type        = bool
  default     = true
}

# --- Streaming ---------------------------------------------------------------------

variable "kafka_broker_instance_type" {
  description = "MSK broker instance type."
  type        = string
  default     = "kafka.t3.small"
}

variable "kafka_broker_count" {
  description = "Number of MSK brokers (a multiple of az_count)."
  type        = number
  default     = 2
}

variable "kafka_broker_volume_gb" {
  description = "EBS storage per broker in GiB."
  type        = number
  default     = 100
}

variable "kafka_topic_defaults" {
  description = "Partitions and retention (hours) of new topics."
  type = object({
    partitions      = number
    retention_hours = number
  })
  default = {
    partitions      = 3
    retention_hours = 168
  }
}

variable "kafka_topic_patterns" {
  description = "Topic name patterns (IAM wildcards) the platform may use: the generators' topics are shop.<stream>."
  type        = list(string)
  default     = ["shop.*"]
}

variable "kafka_group_patterns" {
  description = "Consumer group name patterns the platform may use."
  type        = list(string)
  default     = ["*"]
}

# --- Spark -------------------------------------------------------------------------

variable "emr_release_label" {
  description = "EMR release of the Spark application (emr-spark-8.0.0: Spark 4.0.2)."
  type        = string
  default     = "emr-spark-8.0.0"
}

variable "spark_max_vcpu" {
  description = "vCPU ceiling of all Spark jobs together."
  type        = number
  default     = 16
}

variable "spark_max_memory_gb" {
  description = "Memory ceiling (GB) of all Spark jobs together."
  type        = number
  default     = 64
}

# --- Dagster -----------------------------------------------------------------------

variable "dagster_image_tag" {
  description = "Tag of the Dagster image (built from this repository) in the dagster ECR repository."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.dagster_image_tag)) && var.dagster_image_tag != "latest"
    error_message = "dagster_image_tag must be a valid, immutable image tag (not latest), e.g. a git commit sha."
  }
}

variable "dagster_task_sizes" {
  description = "Fargate CPU units and memory (MiB) of the webserver, daemon and code-location services."
  type = map(object({
    cpu    = number
    memory = number
  }))
  default = {
    webserver     = { cpu = 512, memory = 1024 }
    daemon        = { cpu = 512, memory = 1024 }
    code-location = { cpu = 1024, memory = 4096 }
  }
}

variable "db_instance_class" {
  description = "RDS instance class of Dagster's database."
  type        = string
  default     = "db.t4g.small"
}

variable "db_multi_az" {
  description = "Run a standby of Dagster's database in a second availability zone."
  type        = bool
  default     = false
}

# --- Trino -------------------------------------------------------------------------

variable "trino_image_tag" {
  description = "Tag of the Trino image mirrored into the trino ECR repository (a trinodb/trino release)."
  type        = string
  default     = "476"

  validation {
    condition     = can(regex("^[0-9]{3}$", var.trino_image_tag))
    error_message = "trino_image_tag must be a Trino release number such as 476."
  }
}

variable "trino_catalog" {
  description = "Name of the Iceberg catalog in Trino (the trino_catalog setting)."
  type        = string
  default     = "iceberg"
}

variable "trino_worker_count" {
  description = "Number of Trino workers; 0 runs a single coordinator that also executes queries."
  type        = number
  default     = 0
}

variable "trino_task_sizes" {
  description = "Fargate CPU units and memory (MiB) of the Trino coordinator and of each worker."
  type = map(object({
    cpu    = number
    memory = number
  }))
  default = {
    coordinator = { cpu = 2048, memory = 8192 }
    worker      = { cpu = 4096, memory = 16384 }
  }
}

variable "trino_query_max_memory" {
  description = "Trino query.max-memory."
  type        = string
  default     = "4GB"
}
