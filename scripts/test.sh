#!/usr/bin/env bash
# What CI checks: setup, type check, lint, formatting, then every test with the Docker test bed
# (test/run.ts starts and stops it), then the single executable: built, and the end-to-end suites run again with
# it, from a PATH without node.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
npx tsc --noEmit
npx eslint .
npx prettier --check .
npx tsx test/run.ts
npm run build:sea
RANCHER_ENROLL_BIN="$PWD/dist-sea/rancher-enroll" npx tsx test/run.ts test/e2e/*.test.ts
