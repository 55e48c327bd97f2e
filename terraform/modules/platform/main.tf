# The whole platform in one environment, composed of the small modules next to this
# one. Environment roots (terraform/environments/<env>) call this module with their
# sizes and expose its settings outputs.
#
# local.settings is the single list of LAKEHOUSE_* values this deployment produces: the
# same map becomes the Dagster containers' environment and the root outputs, so what
# the tasks run with and what `terraform output` prints cannot drift apart.

data "aws_region" "current" {}

locals {
  name = "${var.project}-${var.environment}"

  layers = toset(keys(var.databases))

  # Which component may touch which data (see modules/access_policies).
  grants = {
    # Kafka -> bronze and bronze -> silver; reads bronze and silver, owns their maintenance.
    spark = {
      read_layers   = toset(["bronze", "silver"])
      write_layers  = toset(["bronze", "silver"])
      checkpoints   = "read_write"
      kafka_consume = true
      kafka_produce = false
    }
    # dbt builds gold from silver; analysts query every layer.
    trino = {
      read_layers   = local.layers
      write_layers  = toset(["gold"])
      checkpoints   = "none"
      kafka_consume = false
      kafka_produce = false
    }
    # Asset checks read every layer; the ingest sensor compares Kafka end offsets
    # (DescribeTopic, part of the produce grant) with the checkpoints; the generators
    # create topics and produce events. Consuming is Spark's job.
    dagster = {
      read_layers   = local.layers
      write_layers  = toset([])
      checkpoints   = "read"
      kafka_consume = false
      kafka_produce = true
    }
  }

  settings = {
    profile                 = "aws"
    kafka_bootstrap_servers = module.streaming.bootstrap_brokers_iam
    catalog_uri             = module.catalog.catalog_uri
    catalog_warehouse_id    = module.catalog.catalog_warehouse_id
    warehouse               = module.lake_storage.warehouse_uri
    checkpoint_root         = module.lake_storage.checkpoint_root_uri
    s3_region               = data.aws_region.current.name
    trino_host              = module.query.host
    trino_port              = tostring(module.query.port)
    trino_catalog           = var.trino_catalog
    dagster_postgres_url    = module.orchestration.dagster_postgres_url
    spark_master            = "emr-serverless://${module.spark.application_id}"
    # Not yet fields of LakehouseSettings (see docs/terraform.md, "Settings").
    spark_execution_role_arn = module.spark.job_role_arn
    spark_artifacts_uri      = module.spark.artifacts_uri
  }
}

module "encryption" {
  source = "../encryption"
  name   = local.name
}

module "lake_storage" {
  source = "../lake_storage"

  name                              = local.name
  kms_key_arn                       = module.encryption.key_arn
  force_destroy                     = var.force_destroy_data
  noncurrent_version_retention_days = var.noncurrent_version_retention_days
}

module "network" {
  source = "../network"

  name                = local.name
  cidr_block          = var.vpc_cidr
  az_count            = var.az_count
  enable_nat_gateway  = var.enable_nat_gateway
  interface_endpoints = var.interface_endpoints
  flow_log_bucket_arn = module.lake_storage.logs_bucket_arn
}

module "security_groups" {
  source = "../security_groups"

  name          = local.name
  vpc_id        = module.network.vpc_id
  allowed_cidrs = var.allowed_cidrs
}

module "catalog" {
  source = "../catalog"

  databases                 = var.databases
  warehouse_uri             = module.lake_storage.warehouse_uri
  kms_key_arn               = module.encryption.key_arn
  manage_catalog_encryption = var.manage_catalog_encryption
}

module "streaming" {
  source = "../streaming"

  name                 = local.name
  subnet_ids           = module.network.private_subnet_ids
  security_group_id    = module.security_groups.ids["kafka"]
  kms_key_arn          = module.encryption.key_arn
  broker_instance_type = var.kafka_broker_instance_type
  broker_count         = var.kafka_broker_count
  broker_volume_gb     = var.kafka_broker_volume_gb
  topic_defaults       = var.kafka_topic_defaults
}

module "access_policies" {
  source = "../access_policies"

  grants               = local.grants
  lake_bucket_arn      = module.lake_storage.lake_bucket_arn
  kms_key_arn          = module.encryption.key_arn
  msk_cluster_arn      = module.streaming.cluster_arn
  kafka_topic_patterns = var.kafka_topic_patterns
  kafka_group_patterns = var.kafka_group_patterns
}

module "spark" {
  source = "../spark"

  name                    = local.name
  release_label           = var.emr_release_label
  max_vcpu                = var.spark_max_vcpu
  max_memory_gb           = var.spark_max_memory_gb
  subnet_ids              = module.network.private_subnet_ids
  security_group_id       = module.security_groups.ids["spark"]
  artifacts_bucket_name   = module.lake_storage.artifacts_bucket_name
  artifacts_bucket_arn    = module.lake_storage.artifacts_bucket_arn
  kms_key_arn             = module.encryption.key_arn
  data_access_policy_json = module.access_policies.documents["spark"]
}

module "registry" {
  source = "../registry"

  name         = local.name
  kms_key_arn  = module.encryption.key_arn
  force_delete = var.force_destroy_data
}

module "orchestration" {
  source = "../orchestration"

  name                             = local.name
  vpc_id                           = module.network.vpc_id
  subnet_ids                       = module.network.private_subnet_ids
  dagster_security_group_id        = module.security_groups.ids["dagster"]
  alb_security_group_id            = module.security_groups.ids["alb"]
  postgres_security_group_id       = module.security_groups.ids["postgres"]
  service_discovery_namespace_id   = module.network.service_discovery_namespace_id
  service_discovery_namespace_name = module.network.service_discovery_namespace_name
  kms_key_arn                      = module.encryption.key_arn
  image                            = "${module.registry.repository_urls["dagster"]}:${var.dagster_image_tag}"
  ecr_repository_arn               = module.registry.repository_arns["dagster"]
  environment                      = { for k, v in local.settings : "LAKEHOUSE_${upper(k)}" => v }
  task_sizes                       = var.dagster_task_sizes
  data_access_policy_json          = module.access_policies.documents["dagster"]
  spark_application_arn            = module.spark.application_arn
  spark_job_role_arn               = module.spark.job_role_arn
  spark_log_group_arn              = module.spark.log_group_arn
  artifacts_bucket_arn             = module.lake_storage.artifacts_bucket_arn
  logs_bucket_name                 = module.lake_storage.logs_bucket_name
  certificate_arn                  = var.webserver_certificate_arn
  alb_deletion_protection          = var.deletion_protection
  db_instance_class                = var.db_instance_class
  db_multi_az                      = var.db_multi_az
  db_deletion_protection           = var.deletion_protection
  db_final_snapshot                = !var.force_destroy_data
}

module "query" {
  source = "../query"

  name                             = local.name
  cluster_arn                      = module.orchestration.cluster_arn
  subnet_ids                       = module.network.private_subnet_ids
  security_group_id                = module.security_groups.ids["trino"]
  service_discovery_namespace_id   = module.network.service_discovery_namespace_id
  service_discovery_namespace_name = module.network.service_discovery_namespace_name
  image                            = "${module.registry.repository_urls["trino"]}:${var.trino_image_tag}"
  ecr_repository_arn               = module.registry.repository_arns["trino"]
  kms_key_arn                      = module.encryption.key_arn
  catalog_name                     = var.trino_catalog
  catalog_uri                      = module.catalog.catalog_uri
  catalog_warehouse_id             = module.catalog.catalog_warehouse_id
  worker_count                     = var.trino_worker_count
  task_sizes                       = var.trino_task_sizes
  query_max_memory                 = var.trino_query_max_memory
  data_access_policy_json          = module.access_policies.documents["trino"]
}
