# Trino on ECS Fargate: one coordinator registered in the private DNS namespace as
# trino.<namespace> (the trino_host setting) and worker_count workers. Its Iceberg
# catalog is the same Glue Iceberg REST endpoint Spark and pyiceberg use, signed with
# SigV4 by the task role, so every engine sees the same tables.
#
# The stock trinodb/trino image (mirrored into ECR) is configured at start: a short-lived
# "config" container writes /etc/trino from the environment variables below into a task
# volume, which the Trino container mounts read-only.

data "aws_region" "current" {}

locals {
  region   = data.aws_region.current.name
  host     = "${aws_service_discovery_service.coordinator.name}.${var.service_discovery_namespace_name}"
  port     = 8080
  node_env = replace(var.name, "-", "_")

  catalog_properties = join("\n", [
    "connector.name=iceberg",
    "iceberg.catalog.type=rest",
    "iceberg.rest-catalog.uri=${var.catalog_uri}",
    "iceberg.rest-catalog.warehouse=${var.catalog_warehouse_id}",
    "iceberg.rest-catalog.security=SIGV4",
    "iceberg.rest-catalog.signing-name=glue",
    "iceberg.rest-catalog.view-endpoints-enabled=false",
    "fs.native-s3.enabled=true",
    "s3.region=${local.region}",
    "",
  ])

  jvm_config = join("\n", [
    "-server",
    "-XX:MaxRAMPercentage=${var.heap_percent}",
    "-XX:+ExitOnOutOfMemoryError",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:ReservedCodeCacheSize=512M",
    "-XX:PerMethodRecompilationCutoff=10000",
    "-XX:PerBytecodeRecompilationCutoff=10000",
    "-XX:+EnableDynamicLoadingOfJavaAgents",
    "-Djdk.attach.allowAttachSelf=true",
    "-Djdk.nio.maxCachedBufferSize=2000000",
    "-Djava.io.tmpdir=/tmp",
    "-Dfile.encoding=UTF-8",
    "",
  ])

  roles = {
    coordinator = join("\n", [
      "coordinator=true",
      "node-scheduler.include-coordinator=${var.worker_count == 0}",
      "http-server.http.port=${local.port}",
      "discovery.uri=http://localhost:${local.port}",
      "query.max-memory=${var.query_max_memory}",
      "",
    ])
    worker = join("\n", [
      "coordinator=false",
      "http-server.http.port=${local.port}",
      "discovery.uri=http://${local.host}:${local.port}",
      "query.max-memory=${var.query_max_memory}",
      "",
    ])
  }

  write_config = join(" && ", [
    "mkdir -p /etc/trino/catalog",
    "printenv TRINO_CONFIG_PROPERTIES > /etc/trino/config.properties",
    "printenv TRINO_JVM_CONFIG > /etc/trino/jvm.config",
    "printenv TRINO_NODE_PROPERTIES > /etc/trino/node.properties",
    "printenv TRINO_LOG_PROPERTIES > /etc/trino/log.properties",
    "printenv TRINO_CATALOG_PROPERTIES > /etc/trino/catalog/${var.catalog_name}.properties",
    "chown -R 1000:1000 /data/trino",
    "chmod 1777 /tmp",
  ])

  log_options = {
    awslogs-group  = aws_cloudwatch_log_group.trino.name
    awslogs-region = local.region
  }
}

resource "aws_cloudwatch_log_group" "trino" {
  name              = "/${var.name}/trino"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
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

resource "aws_iam_role" "execution" {
  name               = "${var.name}-trino-execution"
  description        = "ECS task execution role of ${var.name}'s Trino"
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
    resources = ["${aws_cloudwatch_log_group.trino.arn}:*"]
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "start-tasks"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

resource "aws_iam_role" "task" {
  name               = "${var.name}-trino"
  description        = "Task role of ${var.name}'s Trino: the Glue catalog and the warehouse"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

resource "aws_iam_role_policy" "task" {
  name   = "data-access"
  role   = aws_iam_role.task.id
  policy = var.data_access_policy_json
}

# --- Tasks and services ------------------------------------------------------------

resource "aws_ecs_task_definition" "this" {
  for_each = local.roles

  family                   = "${var.name}-trino-${each.key}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.task_sizes[each.key].cpu
  memory                   = var.task_sizes[each.key].memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  volume {
    name = "etc"
  }
  volume {
    name = "data"
  }
  volume {
    name = "tmp"
  }

  container_definitions = jsonencode([
    {
      name                   = "config"
      image                  = var.image
      essential              = false
      user                   = "0"
      entryPoint             = ["sh", "-c"]
      command                = [local.write_config]
      readonlyRootFilesystem = true
      privileged             = false
      environment = [
        { name = "TRINO_CONFIG_PROPERTIES", value = each.value },
        { name = "TRINO_JVM_CONFIG", value = local.jvm_config },
        { name = "TRINO_NODE_PROPERTIES", value = "node.environment=${local.node_env}\nnode.data-dir=/data/trino\nplugin.dir=/usr/lib/trino/plugin\n" },
        { name = "TRINO_LOG_PROPERTIES", value = "io.trino=INFO\n" },
        { name = "TRINO_CATALOG_PROPERTIES", value = local.catalog_properties },
      ]
      mountPoints = [
        { sourceVolume = "etc", containerPath = "/etc/trino", readOnly = false },
        { sourceVolume = "data", containerPath = "/data/trino", readOnly = false },
        { sourceVolume = "tmp", containerPath = "/tmp", readOnly = false },
      ]
      logConfiguration = { logDriver = "awslogs", options = merge(local.log_options, { awslogs-stream-prefix = "${each.key}-config" }) }
    },
    {
      name                   = "trino"
      image                  = var.image
      essential              = true
      readonlyRootFilesystem = true
      privileged             = false
      dependsOn              = [{ containerName = "config", condition = "SUCCESS" }]
      portMappings           = [{ containerPort = local.port, protocol = "tcp" }]
      mountPoints = [
        { sourceVolume = "etc", containerPath = "/etc/trino", readOnly = true },
        { sourceVolume = "data", containerPath = "/data/trino", readOnly = false },
        { sourceVolume = "tmp", containerPath = "/tmp", readOnly = false },
      ]
      healthCheck = {
        command     = ["CMD", "/usr/lib/trino/bin/health-check"]
        interval    = 30
        timeout     = 5
        retries     = 3
        startPeriod = 120
      }
      logConfiguration = { logDriver = "awslogs", options = merge(local.log_options, { awslogs-stream-prefix = each.key }) }
    },
  ])
}

resource "aws_service_discovery_service" "coordinator" {
  name = "trino"

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

resource "aws_ecs_service" "coordinator" {
  name            = "trino-coordinator"
  cluster         = var.cluster_arn
  task_definition = aws_ecs_task_definition.this["coordinator"].arn
  desired_count   = 1
  launch_type     = "FARGATE"

  # One coordinator at a time: workers announce themselves to whichever answers trino.<namespace>.
  deployment_minimum_healthy_percent = 0
  deployment_maximum_percent         = 100

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = [var.security_group_id]
    assign_public_ip = false
  }

  service_registries {
    registry_arn = aws_service_discovery_service.coordinator.arn
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }
}

resource "aws_ecs_service" "worker" {
  name            = "trino-worker"
  cluster         = var.cluster_arn
  task_definition = aws_ecs_task_definition.this["worker"].arn
  desired_count   = var.worker_count
  launch_type     = "FARGATE"

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = [var.security_group_id]
    assign_public_ip = false
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }
}
