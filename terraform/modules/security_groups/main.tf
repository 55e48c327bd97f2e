# The platform's whole traffic matrix in one place. Each component gets one security
# group; rules reference groups, not addresses, except where people come in
# (allowed_cidrs: VPN or office ranges) and for HTTPS out to AWS APIs.
#
#   people ──443──► alb ──3000──► dagster ──4000──► dagster (code location gRPC)
#   people ──8080─► trino ◄──8080── dagster (dbt)       trino ◄─8080─► trino (workers)
#   dagster, spark ──9098──► kafka (MSK, IAM over TLS)
#   dagster ──5432──► postgres (RDS)
#   dagster, spark, trino ──443──► AWS APIs (endpoints, S3 gateway or NAT)

locals {
  groups = {
    alb      = "Internal load balancer in front of the Dagster webserver"
    dagster  = "Dagster webserver, daemon and code location tasks"
    spark    = "EMR Serverless Spark drivers and executors"
    trino    = "Trino coordinator and workers"
    kafka    = "MSK brokers"
    postgres = "RDS PostgreSQL holding Dagster's storage"
  }

  # from -> to on port: traffic between components.
  flows = {
    alb_to_dagster_web  = { from = "alb", to = "dagster", port = 3000, what = "Dagster webserver" }
    dagster_to_code     = { from = "dagster", to = "dagster", port = 4000, what = "Dagster code location gRPC" }
    dagster_to_trino    = { from = "dagster", to = "trino", port = 8080, what = "Trino HTTP (dbt, checks)" }
    trino_to_trino      = { from = "trino", to = "trino", port = 8080, what = "Trino internal HTTP" }
    dagster_to_kafka    = { from = "dagster", to = "kafka", port = 9098, what = "Kafka with IAM auth over TLS" }
    spark_to_kafka      = { from = "spark", to = "kafka", port = 9098, what = "Kafka with IAM auth over TLS" }
    dagster_to_postgres = { from = "dagster", to = "postgres", port = 5432, what = "PostgreSQL" }
  }

  # Components that call AWS APIs over HTTPS.
  https_out = toset(["dagster", "spark", "trino"])

  # People reaching user-facing ports from allowed_cidrs.
  user_ports = { alb = 443, trino = 8080 }
  people_in = {
    for pair in setproduct(keys(local.user_ports), var.allowed_cidrs) :
    "${pair[0]}-${pair[1]}" => { group = pair[0], cidr = pair[1], port = local.user_ports[pair[0]] }
  }
}

resource "aws_security_group" "this" {
  #checkov:skip=CKV2_AWS_5:Attached in other modules (MSK, EMR Serverless, ECS services, RDS, ALB) through the ids output.
  for_each = local.groups

  name        = "${var.name}-${each.key}"
  description = each.value
  vpc_id      = var.vpc_id

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "flow" {
  for_each = local.flows

  security_group_id            = aws_security_group.this[each.value.to].id
  referenced_security_group_id = aws_security_group.this[each.value.from].id
  description                  = "${each.value.what} from ${each.value.from}"
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
}

resource "aws_vpc_security_group_egress_rule" "flow" {
  for_each = local.flows

  security_group_id            = aws_security_group.this[each.value.from].id
  referenced_security_group_id = aws_security_group.this[each.value.to].id
  description                  = "${each.value.what} to ${each.value.to}"
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
}

# Spark drivers and executors of one job talk to each other on ephemeral ports.
resource "aws_vpc_security_group_ingress_rule" "spark_internal" {
  #checkov:skip=CKV_AWS_25:The source is the spark group itself, not 0.0.0.0/0; the range covers Spark's ephemeral driver and executor ports.
  security_group_id            = aws_security_group.this["spark"].id
  referenced_security_group_id = aws_security_group.this["spark"].id
  description                  = "Spark driver and executors of a job"
  ip_protocol                  = "tcp"
  from_port                    = 1024
  to_port                      = 65535
}

resource "aws_vpc_security_group_egress_rule" "spark_internal" {
  security_group_id            = aws_security_group.this["spark"].id
  referenced_security_group_id = aws_security_group.this["spark"].id
  description                  = "Spark driver and executors of a job"
  ip_protocol                  = "tcp"
  from_port                    = 1024
  to_port                      = 65535
}

resource "aws_vpc_security_group_egress_rule" "https_out" {
  for_each = local.https_out

  security_group_id = aws_security_group.this[each.key].id
  description       = "HTTPS to AWS APIs and ECR (VPC endpoints, S3 gateway or NAT)"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_vpc_security_group_ingress_rule" "people" {
  for_each = local.people_in

  security_group_id = aws_security_group.this[each.value.group].id
  description       = "Users from ${each.value.cidr}"
  cidr_ipv4         = each.value.cidr
  ip_protocol       = "tcp"
  from_port         = each.value.port
  to_port           = each.value.port
}
