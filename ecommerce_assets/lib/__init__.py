"""Helpers of the code location that are not definitions: naming, metadata, reconciliation."""
