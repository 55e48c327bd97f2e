# MSK (provisioned) with IAM authentication over TLS only, encrypted at rest with the
# environment key, brokers spread over the private subnets. Topics are created by the
# platform's producers through the Kafka admin API (IAM allows CreateTopic on the
# configured topic patterns); the cluster configuration sets their defaults.

locals {
  replication_factor = min(3, var.broker_count)
  min_insync         = local.replication_factor > 2 ? 2 : 1

  server_properties = {
    "auto.create.topics.enable"      = "false"
    "default.replication.factor"     = local.replication_factor
    "min.insync.replicas"            = local.min_insync
    "num.partitions"                 = var.topic_defaults.partitions
    "log.retention.hours"            = var.topic_defaults.retention_hours
    "unclean.leader.election.enable" = "false"
    "delete.topic.enable"            = "true"
  }
}

resource "aws_msk_configuration" "this" {
  name           = var.name
  kafka_versions = [var.kafka_version]
  description    = "Topic defaults of ${var.name}"

  server_properties = join("\n", [for k, v in local.server_properties : "${k}=${v}"])

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_cloudwatch_log_group" "brokers" {
  name              = "/${var.name}/msk"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_msk_cluster" "this" {
  cluster_name           = var.name
  kafka_version          = var.kafka_version
  number_of_broker_nodes = var.broker_count
  enhanced_monitoring    = "PER_BROKER"

  broker_node_group_info {
    instance_type   = var.broker_instance_type
    client_subnets  = var.subnet_ids
    security_groups = [var.security_group_id]

    storage_info {
      ebs_storage_info {
        volume_size = var.broker_volume_gb
      }
    }

    connectivity_info {
      public_access {
        type = "DISABLED"
      }
    }
  }

  client_authentication {
    unauthenticated = false
    sasl {
      iam = true
    }
  }

  encryption_info {
    encryption_at_rest_kms_key_arn = var.kms_key_arn
    encryption_in_transit {
      client_broker = "TLS"
      in_cluster    = true
    }
  }

  configuration_info {
    arn      = aws_msk_configuration.this.arn
    revision = aws_msk_configuration.this.latest_revision
  }

  logging_info {
    broker_logs {
      cloudwatch_logs {
        enabled   = true
        log_group = aws_cloudwatch_log_group.brokers.name
      }
    }
  }

  lifecycle {
    precondition {
      condition     = var.broker_count % length(var.subnet_ids) == 0
      error_message = "broker_count must be a multiple of the number of subnets."
    }
  }
}
