# One EMR Serverless Spark application runs the streaming (Kafka -> bronze, as
# availableNow micro-batches) and batch (bronze -> silver) jobs that Dagster submits.
# It starts on the first job and stops when idle, so it costs nothing between runs.
# Jobs run as the execution role below: the data access of the spark grant, read of
# its code and jars in the artifacts bucket, and writing its logs.
#
# The AWS provider 5.100 cannot set an application-wide monitoring configuration, so
# whoever submits a job passes it in StartJobRun's configurationOverrides: S3 logs to
# s3://<artifacts>/emr-logs/ and CloudWatch logs to the log group below, both with the
# environment key (see docs/terraform.md).

data "aws_caller_identity" "current" {}

resource "aws_cloudwatch_log_group" "jobs" {
  name              = "/${var.name}/emr-serverless"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_emrserverless_application" "this" {
  name          = "${var.name}-spark"
  release_label = var.release_label
  type          = "spark"
  architecture  = var.architecture

  maximum_capacity {
    cpu    = "${var.max_vcpu} vCPU"
    memory = "${var.max_memory_gb} GB"
  }

  auto_start_configuration {
    enabled = true
  }

  auto_stop_configuration {
    enabled              = true
    idle_timeout_minutes = var.idle_timeout_minutes
  }

  network_configuration {
    subnet_ids         = var.subnet_ids
    security_group_ids = [var.security_group_id]
  }
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["emr-serverless.amazonaws.com"]
    }
    # Only this account's applications may use the role (confused-deputy guard).
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "job" {
  name               = "${var.name}-spark-job"
  description        = "Execution role of ${var.name}'s EMR Serverless Spark jobs"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_iam_role_policy" "data_access" {
  name   = "data-access"
  role   = aws_iam_role.job.id
  policy = var.data_access_policy_json
}

data "aws_iam_policy_document" "runtime" {
  statement {
    sid       = "ListArtifacts"
    actions   = ["s3:ListBucket"]
    resources = [var.artifacts_bucket_arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["spark/", "spark/*", "emr-logs/", "emr-logs/*"]
    }
  }

  statement {
    sid       = "ReadJobCode"
    actions   = ["s3:GetObject"]
    resources = ["${var.artifacts_bucket_arn}/spark/*"]
  }

  statement {
    sid       = "WriteJobLogs"
    actions   = ["s3:PutObject"]
    resources = ["${var.artifacts_bucket_arn}/emr-logs/*"]
  }

  statement {
    sid       = "CloudWatchLogs"
    actions   = ["logs:DescribeLogStreams", "logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [aws_cloudwatch_log_group.jobs.arn, "${aws_cloudwatch_log_group.jobs.arn}:*"]
  }
}

resource "aws_iam_role_policy" "runtime" {
  name   = "runtime"
  role   = aws_iam_role.job.id
  policy = data.aws_iam_policy_document.runtime.json
}
