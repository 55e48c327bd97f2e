# One customer-managed key per environment encrypts data at rest everywhere the
# platform stores it: S3, RDS (storage, Performance Insights, master secret), MSK,
# CloudWatch Logs, ECR and the Glue Data Catalog. IAM policies of each component
# grant use of this key; the key policy itself only delegates to IAM and admits the
# CloudWatch Logs service, which cannot use IAM grants.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  partition  = data.aws_partition.current.partition
}

data "aws_iam_policy_document" "key_policy" {
  #checkov:skip=CKV_AWS_109:A key policy's "*" resource means this key only; the root statement is AWS's required delegation to IAM.
  #checkov:skip=CKV_AWS_111:A key policy's "*" resource means this key only; the root statement is AWS's required delegation to IAM.
  #checkov:skip=CKV_AWS_356:A key policy's "*" resource means this key only; the root statement is AWS's required delegation to IAM.
  # Standard delegation to the account's IAM: without it the key becomes unmanageable.
  statement {
    sid       = "AccountAdministersKeyThroughIam"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid = "CloudWatchLogsEncryptsThisAccountsLogGroups"
    actions = [
      "kms:Encrypt",
      "kms:Decrypt",
      "kms:ReEncryptFrom",
      "kms:ReEncryptTo",
      "kms:GenerateDataKey",
      "kms:GenerateDataKeyWithoutPlaintext",
      "kms:DescribeKey",
    ]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/${var.name}/*"]
    }
  }
}

resource "aws_kms_key" "this" {
  description             = "${var.name}: data at rest of the lakehouse platform"
  enable_key_rotation     = true
  rotation_period_in_days = 365
  deletion_window_in_days = var.deletion_window_in_days
  policy                  = data.aws_iam_policy_document.key_policy.json
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name}"
  target_key_id = aws_kms_key.this.key_id
}
