output "ids" {
  description = "Security group id per component: alb, dagster, spark, trino, kafka, postgres."
  value       = { for k, sg in aws_security_group.this : k => sg.id }
}
