"""Silver: typed, deduplicated, validated Iceberg tables built from bronze, by day."""
