#!/usr/bin/env bash
# Command two: set up and run every test tier (unit, then integration against the real
# local stack: Kafka, Iceberg REST catalog, Trino, Spark). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
uv=("${PYTHON:-python3}" -m uv run --frozen)
"${uv[@]}" ruff check .
"${uv[@]}" ruff format --check .
exec "${uv[@]}" pytest "$@"
