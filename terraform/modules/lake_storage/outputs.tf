output "lake_bucket_name" {
  description = "Name of the bucket holding the Iceberg warehouse and the streaming checkpoints."
  value       = aws_s3_bucket.lake.id
}

output "lake_bucket_arn" {
  description = "ARN of the lake bucket."
  value       = aws_s3_bucket.lake.arn
}

output "artifacts_bucket_name" {
  description = "Name of the bucket holding Spark entry points, jars and EMR logs."
  value       = aws_s3_bucket.artifacts.id
}

output "artifacts_bucket_arn" {
  description = "ARN of the artifacts bucket."
  value       = aws_s3_bucket.artifacts.arn
}

output "logs_bucket_name" {
  description = "Name of the bucket receiving access logs, ALB logs and VPC flow logs."
  value       = aws_s3_bucket.logs.id
}

output "logs_bucket_arn" {
  description = "ARN of the logs bucket."
  value       = aws_s3_bucket.logs.arn
}

output "warehouse_uri" {
  description = "Root URI of the Iceberg tables: s3://<lake>/warehouse."
  value       = "s3://${aws_s3_bucket.lake.id}/warehouse"
}

output "checkpoint_root_uri" {
  description = "Root URI of Spark streaming checkpoints: s3://<lake>/checkpoints."
  value       = "s3://${aws_s3_bucket.lake.id}/checkpoints"
}
