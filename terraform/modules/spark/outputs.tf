output "application_id" {
  description = "Id of the EMR Serverless application."
  value       = aws_emrserverless_application.this.id
}

output "application_arn" {
  description = "ARN of the EMR Serverless application."
  value       = aws_emrserverless_application.this.arn
}

output "job_role_arn" {
  description = "ARN of the execution role jobs run as."
  value       = aws_iam_role.job.arn
}

output "artifacts_uri" {
  description = "Where job code and jars are uploaded: s3://<artifacts>/spark."
  value       = "s3://${var.artifacts_bucket_name}/spark"
}

output "log_group_arn" {
  description = "ARN of the CloudWatch log group of the jobs."
  value       = aws_cloudwatch_log_group.jobs.arn
}
