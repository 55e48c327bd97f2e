provider "aws" {
  region              = var.region
  allowed_account_ids = [var.aws_account_id]

  default_tags {
    tags = {
      Project     = "ecommerce-lakehouse"
      Environment = "prod"
      ManagedBy   = "terraform"
      Repository  = "ecommerce-lakehouse/terraform/environments/prod"
    }
  }
}
