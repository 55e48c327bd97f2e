terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }

  # Partial configuration: terraform init -backend-config=backend.hcl
  # (see backend.hcl.example). State is locked with an S3 lock file.
  backend "s3" {}
}
