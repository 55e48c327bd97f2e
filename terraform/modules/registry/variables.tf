variable "name" {
  description = "Name prefix of the environment, e.g. lakehouse-dev. Repositories are <name>/<repository>."
  type        = string
}

variable "repositories" {
  description = "Repositories to create: dagster (built from this repo's Dockerfile) and trino (a mirror of trinodb/trino)."
  type        = set(string)
  default     = ["dagster", "trino"]
}

variable "kms_key_arn" {
  description = "ARN of the KMS key encrypting images."
  type        = string
}

variable "keep_images" {
  description = "How many images each repository keeps."
  type        = number
  default     = 30

  validation {
    condition     = var.keep_images >= 1
    error_message = "keep_images must be at least 1."
  }
}

variable "force_delete" {
  description = "Let terraform destroy delete repositories that still hold images."
  type        = bool
  default     = false
}
