output "vpc_id" {
  description = "Id of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "IPv4 CIDR of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "private_subnet_ids" {
  description = "Ids of the private subnets, one per availability zone."
  value       = aws_subnet.private[*].id
}

output "service_discovery_namespace_id" {
  description = "Id of the private DNS namespace for service discovery."
  value       = aws_service_discovery_private_dns_namespace.this.id
}

output "service_discovery_namespace_name" {
  description = "Domain of the private DNS namespace, e.g. lakehouse-dev.internal."
  value       = aws_service_discovery_private_dns_namespace.this.name
}
