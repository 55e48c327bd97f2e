variable "name" {
  description = "Name prefix of the environment, e.g. lakehouse-dev."
  type        = string
}

variable "vpc_id" {
  description = "Id of the VPC the groups belong to."
  type        = string
}

variable "allowed_cidrs" {
  description = "IPv4 CIDRs of the people who may reach the Dagster UI (443 on the internal ALB) and Trino (8080), e.g. the VPN range."
  type        = list(string)

  validation {
    condition     = alltrue([for c in var.allowed_cidrs : can(cidrhost(c, 0)) && c != "0.0.0.0/0"])
    error_message = "allowed_cidrs must be valid IPv4 CIDRs and must not be 0.0.0.0/0."
  }
}
