output "host" {
  description = "DNS name of the Trino coordinator inside the VPC."
  value       = local.host
}

output "port" {
  description = "HTTP port of the Trino coordinator."
  value       = local.port
}
