#!/usr/bin/env bash
# What CI checks: setup, type check, lint, formatting, the release (npm package, single executable, .deb checked by
# lintian, .rpm: release/), then every test with the Docker test bed (test/run.ts starts and stops it; test/release/
# installs the packages), then the end-to-end suites again with the single executable, from a PATH without node.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
npx tsc --noEmit
npx eslint .
npx prettier --check .
npm run release
npx tsx test/run.ts
RANCHER_ENROLL_BIN="$PWD/dist-sea/rancher-enroll" npx tsx test/run.ts test/e2e/*.test.ts
