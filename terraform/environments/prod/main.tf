module "platform" {
  source = "../../modules/platform"

  environment               = "prod"
  vpc_cidr                  = "10.41.0.0/16"
  allowed_cidrs             = var.allowed_cidrs
  webserver_certificate_arn = var.webserver_certificate_arn
  dagster_image_tag         = var.dagster_image_tag
  trino_image_tag           = var.trino_image_tag
  manage_catalog_encryption = var.manage_catalog_encryption

  # Three AZs, AWS APIs through interface endpoints (NAT kept for other egress),
  # three brokers (replication factor 3), a multi-AZ database, Trino with workers,
  # deletion protection on and data kept on destroy.
  az_count           = 3
  enable_nat_gateway = true
  interface_endpoints = [
    "ecr.api", "ecr.dkr", "logs", "secretsmanager", "sts", "glue", "kms", "emr-serverless",
  ]

  kafka_broker_instance_type = "kafka.m7g.large"
  kafka_broker_count         = 3
  kafka_broker_volume_gb     = 500

  spark_max_vcpu      = 64
  spark_max_memory_gb = 256

  db_instance_class   = "db.t4g.medium"
  db_multi_az         = true
  deletion_protection = true
  force_destroy_data  = false

  trino_worker_count = 2
}
