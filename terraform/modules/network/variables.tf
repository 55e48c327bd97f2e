variable "name" {
  description = "Name prefix of the environment, e.g. lakehouse-dev."
  type        = string
}

variable "cidr_block" {
  description = "IPv4 CIDR of the VPC; it is cut into /20 subnets, so /16 is expected."
  type        = string
  default     = "10.40.0.0/16"

  validation {
    condition     = can(cidrhost(var.cidr_block, 0)) && endswith(var.cidr_block, "/16")
    error_message = "cidr_block must be a valid IPv4 /16 CIDR, e.g. 10.40.0.0/16."
  }
}

variable "az_count" {
  description = "How many availability zones get a private subnet (MSK brokers are spread over them)."
  type        = number
  default     = 2

  validation {
    condition     = contains([2, 3], var.az_count)
    error_message = "az_count must be 2 or 3."
  }
}

variable "enable_nat_gateway" {
  description = "Give private subnets outbound internet through one NAT gateway (public subnets are created only for it)."
  type        = bool
  default     = true
}

variable "interface_endpoints" {
  description = "AWS services reached through interface VPC endpoints (short names, e.g. ecr.api, glue). Empty: through the NAT gateway."
  type        = set(string)
  default     = []

  validation {
    condition     = alltrue([for s in var.interface_endpoints : can(regex("^[a-z0-9.-]+$", s))])
    error_message = "interface_endpoints must be short service names like ecr.api, logs, glue."
  }
}

variable "flow_log_bucket_arn" {
  description = "ARN of the S3 bucket receiving VPC flow logs."
  type        = string
}
