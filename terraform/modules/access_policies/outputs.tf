output "documents" {
  description = "IAM policy document (JSON) per component name given in grants."
  value       = { for k, doc in data.aws_iam_policy_document.component : k => doc.json }
}
