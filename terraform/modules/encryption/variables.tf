variable "name" {
  description = "Name prefix of the environment, e.g. lakehouse-dev. Log groups must live under /<name>/ to use the key."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,30}$", var.name))
    error_message = "name must be 3-31 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "deletion_window_in_days" {
  description = "Days a scheduled key deletion waits before it is final (7-30)."
  type        = number
  default     = 30

  validation {
    condition     = var.deletion_window_in_days >= 7 && var.deletion_window_in_days <= 30
    error_message = "deletion_window_in_days must be between 7 and 30."
  }
}
