output "cluster_arn" {
  description = "ARN of the ECS cluster (Trino runs in it too)."
  value       = aws_ecs_cluster.this.arn
}

output "dagster_postgres_url" {
  description = "Storage URL of Dagster without password; ECS injects PGPASSWORD from the RDS-managed secret."
  value       = "postgresql://${local.db_username}@${aws_db_instance.this.address}:${aws_db_instance.this.port}/${local.db_name}?sslmode=require"
}

output "database_secret_arn" {
  description = "ARN of the RDS-managed Secrets Manager secret holding the database credentials."
  value       = aws_db_instance.this.master_user_secret[0].secret_arn
}

output "webserver_url" {
  description = "URL of the Dagster UI on the internal load balancer."
  value       = "https://${aws_lb.webserver.dns_name}"
}
