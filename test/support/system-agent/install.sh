#!/bin/sh
# The test bed's system-agent installer, served by the v3 simulator as /system-agent-install.sh. It does what
# rancher/system-agent's install.sh does at the points the server and the machine see (same arguments, variables,
# paths, requests and headers, files and their modes, systemctl calls); it places the test bed's fake
# rancher-system-agent and its uninstall script instead of downloading the real binary. See ../simulator/v3/README.md.
# The two heredocs below are filled in by ../system-agent.ts (fakeInstallerScript).

info() { echo "[INFO] " "$@"; }
error() { echo "[ERROR] " "$@" >&2; }
fatal() {
  echo "[FATAL] " "$@" >&2
  exit 1
}

parse_args() {
  while [ $# -gt 0 ]; do
    case "$1" in
    -a | --all-roles) CATTLE_ROLE_CONTROLPLANE=true CATTLE_ROLE_ETCD=true CATTLE_ROLE_WORKER=true && shift 1 ;;
    -p | --controlplane) info "Role requested: controlplane" && CATTLE_ROLE_CONTROLPLANE=true && shift 1 ;;
    -e | --etcd) info "Role requested: etcd" && CATTLE_ROLE_ETCD=true && shift 1 ;;
    -w | --worker) info "Role requested: worker" && CATTLE_ROLE_WORKER=true && shift 1 ;;
    --no-roles) CATTLE_ROLE_NONE=true && shift 1 ;;
    -n | --node-name) CATTLE_NODE_NAME="$2" && shift 2 ;;
    --address) CATTLE_ADDRESS="$2" && shift 2 ;;
    -i | --internal-address) CATTLE_INTERNAL_ADDRESS="$2" && shift 2 ;;
    -l | --label)
      info "Label: $2"
      CATTLE_LABELS="${CATTLE_LABELS:+${CATTLE_LABELS},}$2"
      shift 2
      ;;
    --taint | --taints)
      info "Taint: $2"
      CATTLE_TAINTS="${CATTLE_TAINTS:+${CATTLE_TAINTS},}$2"
      shift 2
      ;;
    -s | --server) CATTLE_SERVER="$2" && shift 2 ;;
    -t | --token) CATTLE_TOKEN="$2" && shift 2 ;;
    -c | --ca-checksum) CATTLE_CA_CHECKSUM="$2" && shift 2 ;;
    *) fatal "Unknown argument passed in ($1)" ;;
    esac
  done
}

setup_env() {
  : "${CATTLE_ROLE_CONTROLPLANE:=false}" "${CATTLE_ROLE_ETCD:=false}" "${CATTLE_ROLE_WORKER:=false}"
  : "${CATTLE_ROLE_NONE:=false}" "${CATTLE_AGENT_LOGLEVEL:=info}" "${CATTLE_AGENT_STRICT_VERIFY:=false}"
  if [ "${CATTLE_ROLE_NONE}" = "true" ]; then
    CATTLE_ROLE_CONTROLPLANE=false CATTLE_ROLE_ETCD=false CATTLE_ROLE_WORKER=false
  fi
  [ -n "${CATTLE_TOKEN}" ] || fatal "\$CATTLE_TOKEN was not set."
  [ -n "${CATTLE_SERVER}" ] || fatal "\$CATTLE_SERVER was not set"
  if [ "${CATTLE_ROLE_CONTROLPLANE}" = "false" ] && [ "${CATTLE_ROLE_ETCD}" = "false" ] &&
    [ "${CATTLE_ROLE_WORKER}" = "false" ] && [ "${CATTLE_ROLE_NONE}" = "false" ]; then
    fatal "You must select at least one role."
  fi
  : "${CATTLE_AGENT_CONFIG_DIR:=/etc/rancher/agent}" "${CATTLE_AGENT_VAR_DIR:=/var/lib/rancher/agent}"
  : "${CATTLE_AGENT_BIN_PREFIX:=/usr/local}"
}

ensure_directories() {
  mkdir -p "${CATTLE_AGENT_VAR_DIR}/interlock" "${CATTLE_AGENT_CONFIG_DIR}"
  chmod 700 "${CATTLE_AGENT_VAR_DIR}" "${CATTLE_AGENT_VAR_DIR}/interlock" "${CATTLE_AGENT_CONFIG_DIR}"
}

validate_ca_checksum() {
  [ -n "${CATTLE_CA_CHECKSUM}" ] || return 0
  CACERT=$(mktemp)
  curl --connect-timeout 60 --max-time 60 --insecure -sS -fL "${CATTLE_SERVER}/cacerts" -o "${CACERT}" ||
    fatal "could not download ${CATTLE_SERVER}/cacerts"
  if [ ! -s "${CACERT}" ]; then
    error "The environment variable CATTLE_CA_CHECKSUM is set but there is no CA certificate configured at ${CATTLE_SERVER}/cacerts"
    exit 1
  fi
  CATTLE_SERVER_CHECKSUM=$(sha256sum "${CACERT}" | awk '{print $1}')
  if [ "${CATTLE_SERVER_CHECKSUM}" != "${CATTLE_CA_CHECKSUM}" ]; then
    rm -f "${CACERT}"
    error "Configured cacerts checksum ($CATTLE_SERVER_CHECKSUM) does not match given --ca-checksum ($CATTLE_CA_CHECKSUM)"
    exit 1
  fi
  CURL_CAFLAG="--cacert ${CACERT}"
}

validate_rancher_connection() {
  # shellcheck disable=SC2086 # CURL_CAFLAG is two words or none, as in install.sh
  curl --connect-timeout 60 --max-time 60 ${CURL_CAFLAG} -sS -fL "${CATTLE_SERVER}/healthz" -o /dev/null ||
    fatal "Error connecting to Rancher. Perhaps --ca-checksum needs to be set?"
  info "Successfully tested Rancher connection"
}

ensure_systemd_service_stopped() {
  if systemctl is-active --quiet rancher-system-agent.service; then
    info "Rancher System Agent was detected on this host. Ensuring the rancher-system-agent is stopped."
    systemctl stop rancher-system-agent
  fi
}

download_rancher_files() {
  mkdir -p "${CATTLE_AGENT_BIN_PREFIX}/bin"
  cat >"${CATTLE_AGENT_BIN_PREFIX}/bin/rancher-system-agent" <<'AGENT_BINARY'
@AGENT_BINARY@
AGENT_BINARY
  cat >"${CATTLE_AGENT_BIN_PREFIX}/bin/rancher-system-agent-uninstall.sh" <<'AGENT_UNINSTALL'
@AGENT_UNINSTALL@
AGENT_UNINSTALL
  chmod +x "${CATTLE_AGENT_BIN_PREFIX}/bin/rancher-system-agent" "${CATTLE_AGENT_BIN_PREFIX}/bin/rancher-system-agent-uninstall.sh"
  info "Successfully placed the rancher-system-agent binary and its uninstall script."
}

generate_config() {
  UMASK=$(umask)
  umask 0177
  cat >"${CATTLE_AGENT_CONFIG_DIR}/config.yaml" <<CONFIG
workDirectory: ${CATTLE_AGENT_VAR_DIR}/work
appliedPlanDirectory: ${CATTLE_AGENT_VAR_DIR}/applied
remoteEnabled: true
localEnabled: false
interlockDirectory: ${CATTLE_AGENT_VAR_DIR}/interlock
connectionInfoFile: ${CATTLE_AGENT_VAR_DIR}/rancher2_connection_info.json
CONFIG
  umask "${UMASK}"
}

generate_cattle_identifier() {
  if [ -z "${CATTLE_ID}" ]; then
    info "Generating Cattle ID"
    if [ -f "${CATTLE_AGENT_CONFIG_DIR}/cattle-id" ]; then
      CATTLE_ID=$(cat "${CATTLE_AGENT_CONFIG_DIR}/cattle-id")
      [ -n "${CATTLE_ID}" ] || fatal "Cattle ID was empty, aborting installation"
      info "Cattle ID was already detected as ${CATTLE_ID}. Not generating a new one."
      return
    fi
    CATTLE_ID=$(dd if=/dev/urandom count=1 bs=512 2>/dev/null | sha256sum | awk '{print $1}' | head -c 63)
    UMASK=$(umask)
    umask 0177
    echo "${CATTLE_ID}" >"${CATTLE_AGENT_CONFIG_DIR}/cattle-id"
    umask "${UMASK}"
    return
  fi
  info "Not generating Cattle ID"
}

retrieve_connection_info() {
  UMASK=$(umask)
  umask 0177
  TEMP_CONNECTION_INFO="${CATTLE_AGENT_VAR_DIR}/rancher2_connection_info.json.tmp"
  i=1
  while [ "${i}" -ne "${RETRYCOUNT:-4500}" ]; do
    # shellcheck disable=SC2086 # as install.sh
    RESPONSE=$(curl --connect-timeout 60 --max-time 60 --write-out "%{http_code}\n" ${CURL_CAFLAG} -sS \
      -H "Authorization: Bearer ${CATTLE_TOKEN}" -H "X-Cattle-Id: ${CATTLE_ID}" \
      -H "X-Cattle-Role-Etcd: ${CATTLE_ROLE_ETCD}" -H "X-Cattle-Role-Control-Plane: ${CATTLE_ROLE_CONTROLPLANE}" \
      -H "X-Cattle-Role-Worker: ${CATTLE_ROLE_WORKER}" -H "X-Cattle-Node-Name: ${CATTLE_NODE_NAME}" \
      -H "X-Cattle-Address: ${CATTLE_ADDRESS}" -H "X-Cattle-Internal-Address: ${CATTLE_INTERNAL_ADDRESS}" \
      -H "X-Cattle-Labels: ${CATTLE_LABELS}" -H "X-Cattle-Taints: ${CATTLE_TAINTS}" \
      "${CATTLE_SERVER}/v3/connect/agent" -o "${TEMP_CONNECTION_INFO}")
    if [ "${RESPONSE}" = 200 ] &&
      "${CATTLE_AGENT_BIN_PREFIX}/bin/rancher-system-agent" validate-connection "${TEMP_CONNECTION_INFO}"; then
      mv "${TEMP_CONNECTION_INFO}" "${CATTLE_AGENT_VAR_DIR}/rancher2_connection_info.json"
      info "Successfully downloaded and validated Rancher connection information"
      umask "${UMASK}"
      return 0
    fi
    i=$((i + 1))
    error "$RESPONSE received while downloading Rancher connection information. Sleeping for 5 seconds and trying again"
    rm -f "${TEMP_CONNECTION_INFO}"
    sleep 5
  done
  umask "${UMASK}"
  return 1
}

create_systemd_service_file() {
  info "systemd: Creating service file"
  cat >/etc/systemd/system/rancher-system-agent.service <<UNIT
[Unit]
Description=Rancher System Agent
Wants=network-online.target
After=network-online.target
[Install]
WantedBy=multi-user.target
[Service]
EnvironmentFile=-/etc/systemd/system/rancher-system-agent.env
Type=simple
Restart=always
RestartSec=5s
Environment=CATTLE_LOGLEVEL=${CATTLE_AGENT_LOGLEVEL}
Environment=CATTLE_AGENT_CONFIG=${CATTLE_AGENT_CONFIG_DIR}/config.yaml
Environment=CATTLE_AGENT_STRICT_VERIFY=${CATTLE_AGENT_STRICT_VERIFY}
ExecStart=${CATTLE_AGENT_BIN_PREFIX}/bin/rancher-system-agent sentinel
UNIT
}

create_env_file() {
  FILE_SA_ENV=/etc/systemd/system/rancher-system-agent.env
  install -m 0600 /dev/null "${FILE_SA_ENV}"
  for name in HTTP_PROXY HTTPS_PROXY NO_PROXY; do
    eval value=\"\$$name\"
    # shellcheck disable=SC2154 # set by eval
    [ -z "${value}" ] || echo "${name}=${value}" >>"${FILE_SA_ENV}"
  done
}

do_install() {
  [ "$(id -u)" = 0 ] || fatal "This script must be run as root."
  parse_args "$@"
  setup_env
  ensure_directories
  command -v curl >/dev/null || fatal "can not find curl for downloading files"
  touch "${CATTLE_AGENT_VAR_DIR}/interlock/restart-pending"
  validate_ca_checksum
  validate_rancher_connection
  ensure_systemd_service_stopped
  download_rancher_files
  generate_config
  generate_cattle_identifier
  retrieve_connection_info || fatal "Aborting system-agent installation due to failure to retrieve Rancher connection information"
  create_systemd_service_file
  create_env_file
  systemctl daemon-reload >/dev/null
  info "Enabling rancher-system-agent.service"
  systemctl enable rancher-system-agent
  info "Starting/restarting rancher-system-agent.service"
  systemctl restart rancher-system-agent
  rm -f "${CATTLE_AGENT_VAR_DIR}/interlock/restart-pending"
}

do_install "$@"
exit 0
