#!/usr/bin/env bash
# The demo: set up this machine, then enroll it into the built-in Rancher 1.6 simulator through a private
# Docker engine (nothing global is touched; everything is stopped at the end).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
npx tsx scripts/demo.ts
