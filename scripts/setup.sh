#!/usr/bin/env bash
# Set up a machine for ecommerce-lakehouse: system packages it lacks, uv, the locked
# Python environment. Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

missing=()
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
command -v javac >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
# Headless browser for the UI test (tests/integration/test_dagster_ui.py); Playwright
# drives it instead of downloading its own browser build.
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    say "installing ${missing[*]} with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    say "missing system packages: ${missing[*]} (install them, then run this again)"
    exit 1
  fi
fi

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  say "$python is older than 3.11; set PYTHON to a Python 3.11+ interpreter"
  exit 1
fi
if ! "$python" -m uv --version >/dev/null 2>&1; then
  say "installing uv"
  "$python" -m pip install --quiet 'uv>=0.8,<1'
fi
say "syncing the locked Python environment (uv.lock)"
"$python" -m uv sync --frozen --quiet
