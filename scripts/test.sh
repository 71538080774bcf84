#!/usr/bin/env bash
# What CI checks: setup, type check, lint, formatting, then every test with the Docker test bed
# (test/run.ts starts and stops it).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
npx tsc --noEmit
npx eslint .
npx prettier --check .
npx tsx test/run.ts
