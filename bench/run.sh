#!/usr/bin/env bash
# The start-up and footprint benchmark in one command: set up this machine (as for the tests), build the npm
# package's dist/ and the single executable, then measure both (bench/bench.ts). Runs as root on Debian 12:
# GNU time (package `time`) measures peak RSS; the test bed needs what scripts/setup.sh installs.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/time ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "bench: needs /usr/bin/time (Debian package time): run as root, or install it" >&2
    exit 1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends time ||
    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends time; }
fi
bash scripts/setup.sh
npm run build:sea
npx tsx bench/bench.ts
