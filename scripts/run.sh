#!/usr/bin/env bash
# Command one: set up, start the local stack and run the whole pipeline on the local
# profile, then print what landed. Extra arguments go to `lakehouse run`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec "${PYTHON:-python3}" -m uv run --frozen lakehouse run "$@"
