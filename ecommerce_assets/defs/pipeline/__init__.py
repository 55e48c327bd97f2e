"""Definitions across layers: the job that rebuilds days in silver and gold, its triggers."""
