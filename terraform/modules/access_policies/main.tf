# Least-privilege data access, one IAM policy document per component, built from a
# small table of grants: which warehouse layers it reads and writes, what it may do with
# streaming checkpoints and Kafka. Every statement names its actions explicitly and
# scopes them to the lake bucket's prefixes, the Glue databases of those layers, the
# environment's KMS key and the MSK cluster's topics and groups.
#
# A warehouse layer is a Glue database and the S3 prefix warehouse/<layer>/ (the
# catalog module sets each database's location there).

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  glue_arn = "arn:${data.aws_partition.current.partition}:glue:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}"

  # arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid> -> topic/..., group/...
  kafka_topic_arns = [for t in var.kafka_topic_patterns : "${replace(var.msk_cluster_arn, ":cluster/", ":topic/")}/${t}"]
  kafka_group_arns = [for g in var.kafka_group_patterns : "${replace(var.msk_cluster_arn, ":cluster/", ":group/")}/${g}"]

  grants = {
    for component, g in var.grants : component => merge(g, {
      readable_layers = setunion(g.read_layers, g.write_layers)
      list_prefixes = concat(
        flatten([for l in setunion(g.read_layers, g.write_layers) : ["warehouse/${l}/", "warehouse/${l}/*"]]),
        g.checkpoints == "none" ? [] : ["checkpoints/", "checkpoints/*"],
      )
    })
  }
}

data "aws_iam_policy_document" "component" {
  for_each = local.grants

  statement {
    sid       = "UseEnvironmentKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
    resources = [var.kms_key_arn]
  }

  statement {
    sid       = "ListOwnPrefixes"
    actions   = ["s3:ListBucket"]
    resources = [var.lake_bucket_arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = each.value.list_prefixes
    }
  }

  statement {
    sid       = "LocateLakeBucket"
    actions   = ["s3:GetBucketLocation"]
    resources = [var.lake_bucket_arn]
  }

  dynamic "statement" {
    for_each = length(each.value.readable_layers) > 0 ? [1] : []
    content {
      sid       = "ReadTableFiles"
      actions   = ["s3:GetObject"]
      resources = [for l in each.value.readable_layers : "${var.lake_bucket_arn}/warehouse/${l}/*"]
    }
  }

  dynamic "statement" {
    for_each = length(each.value.write_layers) > 0 ? [1] : []
    content {
      sid       = "WriteTableFiles"
      actions   = ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
      resources = [for l in each.value.write_layers : "${var.lake_bucket_arn}/warehouse/${l}/*"]
    }
  }

  dynamic "statement" {
    for_each = each.value.checkpoints == "none" ? [] : [1]
    content {
      sid = "Checkpoints"
      actions = each.value.checkpoints == "read_write" ? [
        "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload",
      ] : ["s3:GetObject"]
      resources = ["${var.lake_bucket_arn}/checkpoints/*"]
    }
  }

  dynamic "statement" {
    for_each = length(each.value.readable_layers) > 0 ? [1] : []
    content {
      sid = "ReadCatalog"
      actions = [
        "glue:GetCatalog",
        "glue:GetDatabase",
        "glue:GetDatabases",
        "glue:GetTable",
        "glue:GetTables",
      ]
      resources = concat(
        ["${local.glue_arn}:catalog"],
        [for l in each.value.readable_layers : "${local.glue_arn}:database/${l}"],
        [for l in each.value.readable_layers : "${local.glue_arn}:table/${l}/*"],
      )
    }
  }

  dynamic "statement" {
    for_each = length(each.value.write_layers) > 0 ? [1] : []
    content {
      sid     = "WriteCatalog"
      actions = ["glue:CreateTable", "glue:UpdateTable", "glue:DeleteTable"]
      resources = concat(
        ["${local.glue_arn}:catalog"],
        [for l in each.value.write_layers : "${local.glue_arn}:database/${l}"],
        [for l in each.value.write_layers : "${local.glue_arn}:table/${l}/*"],
      )
    }
  }

  dynamic "statement" {
    for_each = each.value.kafka_consume || each.value.kafka_produce ? [1] : []
    content {
      sid       = "ConnectToKafka"
      actions   = ["kafka-cluster:Connect", "kafka-cluster:DescribeCluster"]
      resources = [var.msk_cluster_arn]
    }
  }

  dynamic "statement" {
    for_each = each.value.kafka_consume ? [1] : []
    content {
      sid       = "ConsumeTopics"
      actions   = ["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"]
      resources = local.kafka_topic_arns
    }
  }

  dynamic "statement" {
    for_each = each.value.kafka_consume ? [1] : []
    content {
      sid       = "ConsumerGroups"
      actions   = ["kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup"]
      resources = local.kafka_group_arns
    }
  }

  dynamic "statement" {
    for_each = each.value.kafka_produce ? [1] : []
    content {
      sid       = "ProduceToTopics"
      actions   = ["kafka-cluster:DescribeTopic", "kafka-cluster:CreateTopic", "kafka-cluster:WriteData"]
      resources = local.kafka_topic_arns
    }
  }

  dynamic "statement" {
    for_each = each.value.kafka_produce ? [1] : []
    content {
      sid       = "IdempotentProducer"
      actions   = ["kafka-cluster:WriteDataIdempotently"]
      resources = [var.msk_cluster_arn]
    }
  }
}
