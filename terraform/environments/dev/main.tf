module "platform" {
  source = "../../modules/platform"

  environment               = "dev"
  vpc_cidr                  = "10.40.0.0/16"
  allowed_cidrs             = var.allowed_cidrs
  webserver_certificate_arn = var.webserver_certificate_arn
  dagster_image_tag         = var.dagster_image_tag
  trino_image_tag           = var.trino_image_tag
  manage_catalog_encryption = var.manage_catalog_encryption

  # Small and disposable: one NAT gateway instead of interface endpoints, two small
  # brokers, a single-AZ database, Trino as a single node, data deletable on destroy.
  az_count            = 2
  enable_nat_gateway  = true
  interface_endpoints = []

  kafka_broker_instance_type = "kafka.t3.small"
  kafka_broker_count         = 2
  kafka_broker_volume_gb     = 50

  spark_max_vcpu      = 16
  spark_max_memory_gb = 64

  db_instance_class   = "db.t4g.small"
  db_multi_az         = false
  deletion_protection = false
  force_destroy_data  = true

  trino_worker_count = 0
}
