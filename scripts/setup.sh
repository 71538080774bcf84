#!/usr/bin/env bash
# Idempotent setup for development and CI: the system packages the Docker test bed needs (installed when
# running as root), the npm dependencies (only when node_modules is missing or older than the lock file),
# then the build.
set -euo pipefail
cd "$(dirname "$0")/.."

# binutils: strip, for the single executable (scripts/sea/build.ts). openssl: the TLS tests' certificates, and the
# fake agent's certificate checks (test/support/certificates.ts, test/support/testbed/agent/run.sh).
APT_PACKAGES=(docker.io busybox-static docker-registry iproute2 util-linux binutils openssl)
# The tools that the integrations (cloud-init/, packer/, systemd/, examples/) are tested with: test/integrations/ and
# test/e2e/integrations-*.
APT_PACKAGES+=(cloud-init ansible-core packer shellcheck systemd sudo curl ruby)
# The Ansible collection (examples/ansible/): its role installs the .deb with the apt module (python3-apt);
# `ansible-test sanity` checks it with these instead of its pinned copies from PyPI (test/support/ansible-test-offline.py).
APT_PACKAGES+=(python3-apt pylint pycodestyle yamllint python3-voluptuous)
# The release (scripts/release/): the .deb checked by lintian, the .rpm built with rpm's tools, the man page from
# --help; and the SSH server that Terraform reaches a scratch machine through (test/release/terraform.test.ts).
APT_PACKAGES+=(lintian rpm help2man openssh-server openssh-client)

install_system_packages() {
  local missing=() package
  for package in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return
  fi
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    echo "setup: not installing ${missing[*]} (needs root and apt-get): the e2e tests will skip" >&2
    return
  fi
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
}

install_npm_dependencies() {
  local installed=node_modules/.package-lock.json
  if [ ! -f "$installed" ] || [ package-lock.json -nt "$installed" ] || [ package.json -nt "$installed" ]; then
    npm ci
  fi
}

install_system_packages
install_npm_dependencies
npm run build
