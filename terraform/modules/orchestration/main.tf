# Dagster on ECS Fargate: three services from the one image built from this repository,
#   webserver      dagster-webserver behind an internal HTTPS load balancer
#   daemon         dagster-daemon (schedules, sensors, run queue); exactly one task
#   code-location  dagster code-server with the ecommerce_assets definitions; runs are
#                  launched in this task (DefaultRunLauncher), heavy work goes to Spark
#                  on EMR Serverless and SQL to Trino
# with RDS PostgreSQL as Dagster's storage. The database password never leaves Secrets
# Manager: RDS manages (and can rotate) it there, and ECS injects it at task start as
#   DAGSTER_POSTGRES_PASSWORD  read by the image's dagster.yaml (docker/dagster.yaml,
#                              with DAGSTER_POSTGRES_USER/HOST/DB below), and
#   PGPASSWORD                 read by libpq for LAKEHOUSE_DAGSTER_POSTGRES_URL, which
#                              carries no password.

data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  partition   = data.aws_partition.current.partition
  code_host   = "${aws_service_discovery_service.code_location.name}.${var.service_discovery_namespace_name}"
  code_port   = 4000
  web_port    = 3000
  db_name     = "dagster"
  db_username = "dagster"

  # The settings every Dagster container gets, plus the parts of the storage address
  # the image's dagster.yaml reads.
  environment = concat(
    [for k, v in var.environment : { name = k, value = v }],
    [
      { name = "DAGSTER_POSTGRES_USER", value = local.db_username },
      { name = "DAGSTER_POSTGRES_HOST", value = aws_db_instance.this.address },
      { name = "DAGSTER_POSTGRES_DB", value = local.db_name },
    ],
  )
  db_password = "${aws_db_instance.this.master_user_secret[0].secret_arn}:password::"
  secrets = [
    { name = "DAGSTER_POSTGRES_PASSWORD", valueFrom = local.db_password },
    { name = "PGPASSWORD", valueFrom = local.db_password },
  ]

  workspace_args = ["--grpc-host", local.code_host, "--grpc-port", tostring(local.code_port)]

  services = {
    webserver = {
      command = concat(["dagster-webserver", "--host", "0.0.0.0", "--port", tostring(local.web_port)], local.workspace_args)
      port    = local.web_port
    }
    daemon = {
      command = concat(["dagster-daemon", "run"], local.workspace_args)
      port    = null
    }
    code-location = {
      command = ["dagster", "code-server", "start", "--host", "0.0.0.0", "--port", tostring(local.code_port), "--module-name", var.code_location_module]
      port    = local.code_port
    }
  }
}

resource "aws_ecs_cluster" "this" {
  name = var.name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_cloudwatch_log_group" "dagster" {
  name              = "/${var.name}/dagster"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

# --- RDS PostgreSQL ----------------------------------------------------------------

resource "aws_db_subnet_group" "this" {
  name       = "${var.name}-dagster"
  subnet_ids = var.subnet_ids
}

resource "aws_db_parameter_group" "this" {
  name   = "${var.name}-dagster-pg${var.postgres_major_version}"
  family = "postgres${var.postgres_major_version}"

  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }
  parameter {
    name  = "log_connections"
    value = "1"
  }
  parameter {
    name  = "log_min_duration_statement"
    value = "1000"
  }

  lifecycle {
    create_before_destroy = true
  }
}

data "aws_iam_policy_document" "rds_monitoring_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["monitoring.rds.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "rds_monitoring" {
  name               = "${var.name}-rds-monitoring"
  description        = "Enhanced monitoring of ${var.name}'s Dagster database"
  assume_role_policy = data.aws_iam_policy_document.rds_monitoring_assume.json
}

resource "aws_iam_role_policy_attachment" "rds_monitoring" {
  role       = aws_iam_role.rds_monitoring.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}

resource "aws_db_instance" "this" {
  identifier     = "${var.name}-dagster"
  engine         = "postgres"
  engine_version = var.postgres_major_version
  instance_class = var.db_instance_class

  db_name                             = local.db_name
  username                            = local.db_username
  manage_master_user_password         = true
  master_user_secret_kms_key_id       = var.kms_key_arn
  iam_database_authentication_enabled = true

  allocated_storage     = var.db_allocated_storage_gb
  max_allocated_storage = var.db_allocated_storage_gb * 5
  storage_type          = "gp3"
  storage_encrypted     = true
  kms_key_id            = var.kms_key_arn

  multi_az               = var.db_multi_az
  db_subnet_group_name   = aws_db_subnet_group.this.name
  vpc_security_group_ids = [var.postgres_security_group_id]
  publicly_accessible    = false
  parameter_group_name   = aws_db_parameter_group.this.name

  backup_retention_period    = var.db_backup_retention_days
  copy_tags_to_snapshot      = true
  deletion_protection        = var.db_deletion_protection
  skip_final_snapshot        = !var.db_final_snapshot
  final_snapshot_identifier  = "${var.name}-dagster-final"
  auto_minor_version_upgrade = true
  apply_immediately          = false

  enabled_cloudwatch_logs_exports       = ["postgresql", "upgrade"]
  performance_insights_enabled          = true
  performance_insights_kms_key_id       = var.kms_key_arn
  performance_insights_retention_period = 7
  monitoring_interval                   = 60
  monitoring_role_arn                   = aws_iam_role.rds_monitoring.arn
}

# --- IAM ---------------------------------------------------------------------------

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

# What ECS itself needs to start the tasks: pull the image, write logs, read the secret.
resource "aws_iam_role" "execution" {
  name               = "${var.name}-dagster-execution"
  description        = "ECS task execution role of ${var.name}'s Dagster services"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid = "PullImage"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:GetDownloadUrlForLayer",
      "ecr:BatchGetImage",
    ]
    resources = [var.ecr_repository_arn]
  }

  statement {
    sid       = "RegistryLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"] # the action supports no resource-level scoping
  }

  statement {
    sid       = "WriteLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.dagster.arn}:*"]
  }

  statement {
    sid       = "ReadDatabasePassword"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_db_instance.this.master_user_secret[0].secret_arn]
  }

  statement {
    sid       = "DecryptSecret"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "start-tasks"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

# The code location is the only Dagster process touching data: sensors, asset checks,
# generators, and runs that submit Spark jobs. Webserver and daemon get no AWS access.
resource "aws_iam_role" "code_location" {
  name               = "${var.name}-dagster-code-location"
  description        = "Task role of ${var.name}'s Dagster code location"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

resource "aws_iam_role_policy" "code_location_data" {
  name   = "data-access"
  role   = aws_iam_role.code_location.id
  policy = var.data_access_policy_json
}

data "aws_iam_policy_document" "code_location_spark" {
  statement {
    sid       = "SubmitSparkJobs"
    actions   = ["emr-serverless:StartJobRun", "emr-serverless:GetApplication"]
    resources = [var.spark_application_arn]
  }

  statement {
    sid = "FollowSparkJobs"
    actions = [
      "emr-serverless:GetJobRun",
      "emr-serverless:CancelJobRun",
      "emr-serverless:GetDashboardForJobRun",
    ]
    resources = ["${var.spark_application_arn}/jobruns/*"]
  }

  statement {
    sid       = "HandJobsTheirRole"
    actions   = ["iam:PassRole"]
    resources = [var.spark_job_role_arn]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["emr-serverless.amazonaws.com"]
    }
  }

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
    sid       = "UploadJobCode"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${var.artifacts_bucket_arn}/spark/*"]
  }

  statement {
    sid       = "ReadJobLogs"
    actions   = ["s3:GetObject"]
    resources = ["${var.artifacts_bucket_arn}/emr-logs/*"]
  }

  statement {
    sid       = "ReadJobLogStreams"
    actions   = ["logs:DescribeLogStreams", "logs:GetLogEvents"]
    resources = [var.spark_log_group_arn, "${var.spark_log_group_arn}:*"]
  }
}

resource "aws_iam_role_policy" "code_location_spark" {
  name   = "spark-jobs"
  role   = aws_iam_role.code_location.id
  policy = data.aws_iam_policy_document.code_location_spark.json
}

# --- Tasks and services ------------------------------------------------------------

resource "aws_ecs_task_definition" "this" {
  #checkov:skip=CKV_AWS_336:Dagster writes its instance files (compute logs, local artifacts) under DAGSTER_HOME (/opt/dagster/home) in the image; the writable layer is per task and discarded with it.
  for_each = local.services

  family                   = "${var.name}-dagster-${each.key}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.task_sizes[each.key].cpu
  memory                   = var.task_sizes[each.key].memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = each.key == "code-location" ? aws_iam_role.code_location.arn : null

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([{
    name                   = each.key
    image                  = var.image
    essential              = true
    command                = each.value.command
    environment            = local.environment
    secrets                = local.secrets
    readonlyRootFilesystem = false
    privileged             = false
    portMappings           = each.value.port == null ? [] : [{ containerPort = each.value.port, protocol = "tcp" }]
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.dagster.name
        awslogs-region        = data.aws_region.current.name
        awslogs-stream-prefix = each.key
      }
    }
  }])
}

resource "aws_service_discovery_service" "code_location" {
  name = "dagster-code"

  dns_config {
    namespace_id   = var.service_discovery_namespace_id
    routing_policy = "MULTIVALUE"
    dns_records {
      type = "A"
      ttl  = 10
    }
  }

  health_check_custom_config {
    failure_threshold = 1
  }
}

resource "aws_ecs_service" "code_location" {
  name            = "dagster-code-location"
  cluster         = aws_ecs_cluster.this.id
  task_definition = aws_ecs_task_definition.this["code-location"].arn
  desired_count   = 1
  launch_type     = "FARGATE"

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = [var.dagster_security_group_id]
    assign_public_ip = false
  }

  service_registries {
    registry_arn = aws_service_discovery_service.code_location.arn
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }
}

resource "aws_ecs_service" "daemon" {
  name            = "dagster-daemon"
  cluster         = aws_ecs_cluster.this.id
  task_definition = aws_ecs_task_definition.this["daemon"].arn
  desired_count   = 1
  launch_type     = "FARGATE"

  # Two daemons must never run at once: stop the old task before starting the new.
  deployment_minimum_healthy_percent = 0
  deployment_maximum_percent         = 100

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = [var.dagster_security_group_id]
    assign_public_ip = false
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }
}

resource "aws_ecs_service" "webserver" {
  name            = "dagster-webserver"
  cluster         = aws_ecs_cluster.this.id
  task_definition = aws_ecs_task_definition.this["webserver"].arn
  desired_count   = 1
  launch_type     = "FARGATE"

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = [var.dagster_security_group_id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.webserver.arn
    container_name   = "webserver"
    container_port   = local.web_port
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  depends_on = [aws_lb_listener.https]
}

# --- Internal load balancer for the UI ---------------------------------------------

resource "aws_lb" "webserver" {
  #checkov:skip=CKV2_AWS_28:Internal load balancer reachable only from allowed_cidrs (VPN); a WAF adds cost without a public attack surface to protect.
  name                       = "${var.name}-dagster"
  internal                   = true
  load_balancer_type         = "application"
  subnets                    = var.subnet_ids
  security_groups            = [var.alb_security_group_id]
  drop_invalid_header_fields = true
  enable_deletion_protection = var.alb_deletion_protection

  access_logs {
    bucket  = var.logs_bucket_name
    prefix  = "alb"
    enabled = true
  }
}

resource "aws_lb_target_group" "webserver" {
  #checkov:skip=CKV_AWS_378:TLS terminates at the internal load balancer; the hop to the task stays inside the VPC's private subnets.
  name        = "${var.name}-dagster-web"
  port        = local.web_port
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = var.vpc_id

  health_check {
    path    = "/server_info"
    matcher = "200"
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.webserver.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.webserver.arn
  }
}
