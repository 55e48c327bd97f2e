variable "region" {
  description = "AWS region of the whole environment."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as us-east-1."
  }
}

variable "aws_account_id" {
  description = "The AWS account this environment lives in; the provider refuses any other (one account per environment)."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.aws_account_id))
    error_message = "aws_account_id must be 12 digits."
  }
}

variable "allowed_cidrs" {
  description = "IPv4 CIDRs (VPN, office) allowed to reach the Dagster UI and Trino."
  type        = list(string)

  validation {
    condition     = length(var.allowed_cidrs) > 0
    error_message = "Give at least one CIDR, e.g. the VPN client range."
  }
}

variable "webserver_certificate_arn" {
  description = "ACM certificate ARN for the Dagster UI's HTTPS listener."
  type        = string
}

variable "dagster_image_tag" {
  description = "Tag of the Dagster image pushed to the dagster ECR repository, e.g. the git commit sha."
  type        = string
}

variable "trino_image_tag" {
  description = "Trino release mirrored into the trino ECR repository."
  type        = string
  default     = "476"
}

variable "manage_catalog_encryption" {
  description = "Manage the account-wide Glue Data Catalog encryption settings from this environment."
  type        = bool
  default     = true
}
