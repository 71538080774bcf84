#!/bin/sh
# The test bed's stand-in for rancher/system-agent's system-agent-uninstall.sh, written for these tests (not a
# copy): the same variables and defaults, and the same effects on the machine, in the same order: stop the
# service, disable it, remove the unit and env files, the agent's var and config folders, the binary, then itself.

[ "$(id -u)" -eq 0 ] || { echo "[FATAL] This script must be run as root." >&2; exit 1; }

config_dir=${CATTLE_AGENT_CONFIG_DIR:-/etc/rancher/agent}
var_dir=${CATTLE_AGENT_VAR_DIR:-/var/lib/rancher/agent}
bin_prefix=${CATTLE_AGENT_BIN_PREFIX:-/usr/local}

has_systemctl() { command -v systemctl >/dev/null 2>&1; }

trap 'rm -f "$bin_prefix/bin/rancher-system-agent-uninstall.sh"' EXIT

if has_systemctl; then
  systemctl stop rancher-system-agent
  systemctl disable rancher-system-agent || true
  systemctl reset-failed rancher-system-agent || true
  systemctl daemon-reload
fi
rm -f /etc/systemd/system/rancher-system-agent.service /etc/systemd/system/rancher-system-agent.env
rm -rf "$var_dir" "$config_dir"
rm -f "$bin_prefix/bin/rancher-system-agent"
