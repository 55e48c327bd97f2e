# The Glue Data Catalog is the Iceberg catalog: engines reach it through Glue's Iceberg
# REST endpoint (https://glue.<region>.amazonaws.com/iceberg, warehouse = account id),
# where each Glue database is an Iceberg namespace. Tables are created by the
# platform's jobs, never by Terraform; a database's location makes its tables land
# under s3://<lake>/warehouse/<database>/.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  glue_arn   = "arn:${data.aws_partition.current.partition}:glue:${local.region}:${local.account_id}"
}

resource "aws_glue_catalog_database" "layer" {
  for_each = var.databases

  name         = each.key
  description  = each.value
  location_uri = "${trimsuffix(var.warehouse_uri, "/")}/${each.key}"
}

# Account- and region-wide setting: manage it from one environment per account only.
resource "aws_glue_data_catalog_encryption_settings" "this" {
  count = var.manage_catalog_encryption ? 1 : 0

  data_catalog_encryption_settings {
    connection_password_encryption {
      return_connection_password_encrypted = true
      aws_kms_key_id                       = var.kms_key_arn
    }
    encryption_at_rest {
      catalog_encryption_mode = "SSE-KMS"
      sse_aws_kms_key_id      = var.kms_key_arn
    }
  }
}
