#!/usr/bin/env bash
# Command two: set up and run every test tier: lint, unit tests, then integration tests
# against the real local stack (Kafka, Iceberg REST catalog, Trino, Spark). Extra
# arguments go to both pytest runs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
uv=("${PYTHON:-python3}" -m uv run --frozen)
"${uv[@]}" ruff check .
"${uv[@]}" ruff format --check .
# Two processes on purpose: a JVM keeps the first Spark session's jars, and the unit
# tests' bare session must not be the one the integration tests get.
"${uv[@]}" pytest -m "not integration" "$@"
"${uv[@]}" pytest -m integration "$@"
