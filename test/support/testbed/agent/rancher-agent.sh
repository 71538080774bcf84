#!/bin/sh
# Entrypoint (run.sh) of the test bed's fake rancher/rancher-agent:v2.8.15 (busybox sh, the docker CLI, openssl).
# It does what the real image does up to registration (rancher/rancher v2.8.15: package/run.sh, cmd/agent,
# pkg/agent/node): read run.sh's options, require the Docker socket under /var/run, check the CA checksum against
# the server's cacerts (a mismatch exits 1, so the restart policy restarts it: the crash loop users see) and keep
# the CA as /etc/kubernetes/ssl/certs/serverca, verify the server's certificate with it, then open the agent's
# tunnel and hold it, reconnecting for ever.
#
# What it asks of the server (the real endpoints; test/support/simulator serves them):
#   GET /ping                    200 "pong", no credentials (run.sh's curl --insecure)
#   GET /v3/settings/cacerts     {"value": PEM}, no credentials; only when --ca-checksum is given
#   GET /v3/connect/register     a websocket upgrade (Connection: Upgrade, Upgrade: websocket, Sec-WebSocket-*)
#   GET /v3/connect                with X-API-Tunnel-Token: <registration token> and X-API-Tunnel-Params:
#                                base64(JSON {"node":{"customConfig":{"address","internalAddress","roles":[…],
#                                "label":{…},"taints":[…]},"etcd","controlPlane","worker","requestedHostname",
#                                "dockerInfo":{…}}}). 101 accepts: the agent holds the connection until the server
#                                closes it. Any other status refuses. /register until one was accepted (the file
#                                `connected` in its working directory, the container's own layer), /v3/connect after.
#   GET /v3/connect/config       the same headers, every 15 s while connected: 200 with a plan, else 503 or 404.
# After a refusal or a drop it tries again 5 s later (the real agent's loop).

if [ "$1" = "--" ]; then
    shift
    exec "$@"
fi

# shellcheck disable=SC2034 # read by /lib/agent.sh
CA_CERT_FILE=/etc/kubernetes/ssl/certs/serverca
RETRY_SECONDS=5
CONFIG_SECONDS=15
WAITING="Waiting for node to register. Either cluster is not ready for registering, cluster is currently \
provisioning, or etcd, controlplane and worker node have to be registered"

# shellcheck source=agent.sh
. /lib/agent.sh

info "Arguments: $(echo "$*" | sed -E 's/(--token|-t) [^ ]+/\1 REDACTED/g')"

while [ $# -gt 0 ]; do
    case $1 in
    -d | --debug) set -x ;;
    -s | --server) shift && CATTLE_SERVER=$1 ;;
    -t | --token) shift && CATTLE_TOKEN=$1 ;;
    -c | --ca-checksum) shift && CATTLE_CA_CHECKSUM=$1 ;;
    -a | --all-roles) CATTLE_ROLE=etcd,worker,controlplane ;;
    -e | --etcd) CATTLE_ROLE="${CATTLE_ROLE:+$CATTLE_ROLE,}etcd" ;;
    -w | --worker) CATTLE_ROLE="${CATTLE_ROLE:+$CATTLE_ROLE,}worker" ;;
    -p | --controlplane) CATTLE_ROLE="${CATTLE_ROLE:+$CATTLE_ROLE,}controlplane" ;;
    -n | --node-name) shift && CATTLE_NODE_NAME=$1 ;;
    --address) shift && CATTLE_ADDRESS=$1 ;;
    -i | --internal-address) shift && CATTLE_INTERNAL_ADDRESS=$1 ;;
    -l | --label) shift && CATTLE_NODE_LABEL="${CATTLE_NODE_LABEL:+$CATTLE_NODE_LABEL,}$1" ;;
    --taints) shift && CATTLE_NODE_TAINTS="${CATTLE_NODE_TAINTS:+$CATTLE_NODE_TAINTS,}$1" ;;
    *) break ;;
    esac
    shift
done

# get_address VALUE: an IP as given, or the first IPv4 address of the network interface of that name.
get_address() {
    if [ -n "$1" ] && [ -e "/sys/class/net/$1" ]; then
        ip -4 -o addr show dev "$1" | awk '{ split($4, a, "/"); print a[1]; exit }'
    else
        echo "$1"
    fi
}

# json_value NAME: the string field NAME of the JSON object on stdin, unescaped, then a newline (jq -r).
json_value() {
    awk -v name="$1" 'BEGIN { RS = "\001" }
    {
        if (!match($0, "\"" name "\" *: *\"")) exit
        s = substr($0, RSTART + RLENGTH); out = ""
        for (i = 1; i <= length(s); i++) {
            c = substr(s, i, 1)
            if (c == "\"") break
            if (c == "\\") {
                c = substr(s, ++i, 1)
                if (c == "n") c = "\n"; else if (c == "r") c = "\r"; else if (c == "t") c = "\t"
            }
            out = out c
        }
        print out
    }'
}

check_ca() {
    download "$CATTLE_SERVER/v3/settings/cacerts" /tmp/cacerts.json >/tmp/fetch.reason ||
        die "Failed to pull the cacert from the rancher server settings at $CATTLE_SERVER/v3/settings/cacerts ($(cat /tmp/fetch.reason))"
    json_value value </tmp/cacerts.json >/tmp/cacerts
    grep -q . /tmp/cacerts ||
        die "Failed to pull the cacert from the rancher server settings at $CATTLE_SERVER/v3/settings/cacerts"
    checksum=$(sha256sum /tmp/cacerts | awk '{ print $1 }')
    if [ "$checksum" != "$CATTLE_CA_CHECKSUM" ]; then
        error "Configured cacerts checksum ($checksum) does not match given --ca-checksum ($CATTLE_CA_CHECKSUM)"
        die "Please check if the correct certificate is configured at $CATTLE_SERVER/v3/settings/cacerts"
    fi
    mkdir -p "${CA_CERT_FILE%/*}"
    mv /tmp/cacerts "$CA_CERT_FILE"
    chmod 600 "$CA_CERT_FILE"
}

# The Go agent's first step: a TLS connection to the server that it trusts (serverca, else the system's CAs).
check_tls() {
    verify_server "$CATTLE_SERVER" >/tmp/tls.reason && return 0
    case $(cat /tmp/tls.reason) in
    *mismatch*) die "Certificate does not contain the server hostname or IP in its Subject Alternative Names: $(cat /tmp/tls.reason)" ;;
    *) die "Certificate chain is not complete, please check if all needed intermediate certificates are included in the server certificate (in the correct order) and if the cacerts setting in Rancher either contains the correct CA certificate (in the case of using self signed certificates) or is empty (in the case of using a certificate signed by a recognized CA). error: $(cat /tmp/tls.reason)" ;;
    esac
}

json_string() {
    printf '"%s"' "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')"
}

# json_list "a,b": ["a","b"]; json_map "k=v,k2=v2": {"k":"v","k2":"v2"} (pkg/agent/node: split on commas).
json_list() {
    printf '[%s]' "$(split_commas "$1" | while read -r item; do json_string "$item" && echo; done | paste -sd,)"
}
json_map() {
    printf '{%s}' "$(split_commas "$1" | while read -r pair; do
        value=
        case $pair in *=*) value=${pair#*=} ;; esac
        printf '%s:%s\n' "$(json_string "${pair%%=*}")" "$(json_string "$value")"
    done | paste -sd,)"
}
split_commas() {
    printf '%s\n' "$1" | tr ',' '\n' | grep .
}

has_role() {
    case ",$CATTLE_ROLE," in *",$1,"*) echo true ;; *) echo false ;; esac
}

docker_info() {
    docker info --format '{"ID":{{json .ID}},"Name":{{json .Name}},"ServerVersion":{{json .ServerVersion}},"OperatingSystem":{{json .OperatingSystem}},"KernelVersion":{{json .KernelVersion}},"Architecture":{{json .Architecture}}}' 2>/tmp/docker.err ||
        die "Error getting docker info: $(cat /tmp/docker.err)"
}

tunnel_params() {
    printf '{"node":{"customConfig":{"address":%s,"internalAddress":%s,"roles":%s,"label":%s,"taints":%s},' \
        "$(json_string "$CATTLE_ADDRESS")" "$(json_string "$CATTLE_INTERNAL_ADDRESS")" \
        "$(json_list "$CATTLE_ROLE")" "$(json_map "$CATTLE_NODE_LABEL")" "$(json_list "$CATTLE_NODE_TAINTS")"
    printf '"etcd":%s,"controlPlane":%s,"worker":%s,"requestedHostname":%s,"dockerInfo":%s}}' \
        "$(has_role etcd)" "$(has_role controlplane)" "$(has_role worker)" \
        "$(json_string "$CATTLE_NODE_NAME")" "$DOCKER_INFO"
}

# A connection to the server that stays open while its input (the fifo) is held open.
open_connection() {
    case $CATTLE_SERVER in
    https://*)
        # shellcheck disable=SC2046 # the server name option is absent for an IP
        openssl s_client -quiet -connect "$HOST_PORT" $(server_name_option) 2>/dev/null ;;
    *) nc "${HOST_PORT%:*}" "${HOST_PORT##*:}" ;;
    esac
}

server_name_option() {
    case ${HOST_PORT%:*} in
    *[!0-9.]*) echo "-servername ${HOST_PORT%:*}" ;;
    esac
}

tunnel_request() {
    key=$(head -c 16 /dev/urandom | base64)
    printf 'GET %s HTTP/1.1\r\nHost: %s\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' "$1" "$HOST_PORT"
    printf 'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: %s\r\n' "$key"
    printf 'X-API-Tunnel-Token: %s\r\nX-API-Tunnel-Params: %s\r\n\r\n' "$CATTLE_TOKEN" "$PARAMS"
}

poll_config() {
    if fetch "$CATTLE_SERVER/v3/connect/config" /tmp/config.json --header "X-API-Tunnel-Token: $CATTLE_TOKEN" \
        --header "X-API-Tunnel-Params: $PARAMS" >/tmp/fetch.reason; then
        info "Received a node config from the server"
    else
        info "$WAITING"
    fi
}

# connect_once: one tunnel, held until the server closes it; returns when it is refused or dropped.
connect_once() {
    path=/v3/connect/register
    [ -f connected ] && path=/v3/connect
    info "Connecting to ${CATTLE_SERVER%%://*}://$HOST_PORT$path with token starting with $(echo "$CATTLE_TOKEN" | cut -c1-5)"
    rm -f /tmp/tunnel.in /tmp/tunnel.out
    mkfifo /tmp/tunnel.in
    open_connection </tmp/tunnel.in >/tmp/tunnel.out &
    connection=$!
    exec 3>/tmp/tunnel.in
    tunnel_request "$path" >&3
    for _ in $(seq 150); do
        grep -q "$(printf '\r')\$" /tmp/tunnel.out 2>/dev/null && break
        kill -0 "$connection" 2>/dev/null || break
        sleep 0.1
    done
    status=$(head -n 1 /tmp/tunnel.out 2>/dev/null | awk '{ print $2 }')
    if [ "$status" = 101 ]; then
        touch connected
        info "Connected to proxy"
        hold_tunnel
    fi
    exec 3>&-
    for _ in $(seq 50); do
        kill -0 "$connection" 2>/dev/null || break
        sleep 0.1
    done
    kill "$connection" 2>/dev/null
    wait "$connection" 2>/dev/null
    [ "$status" = 101 ] || refused
}

# As remotedialer reports a refused tunnel: the status and the server's text (e.g. a deleted node's
# `nodes.management.cattle.io "m-…" not found`).
refused() {
    line=$(head -n 1 /tmp/tunnel.out 2>/dev/null | tr -d '\r')
    body=$(awk 'body { print } /^\r?$/ { body = 1 }' /tmp/tunnel.out 2>/dev/null | tr -d '\r' | paste -sd' ')
    error "Failed to connect to proxy. Response status: ${line:-no answer}. Response body: $body"
}

hold_tunnel() {
    second=0
    while kill -0 "$connection" 2>/dev/null; do
        [ $((second % CONFIG_SECONDS)) -eq 0 ] && poll_config
        interruptible sleep 1
        second=$((second + 1))
    done
    error "The connection to the server was closed"
}

if [ ! -S /var/run/docker.sock ] || [ ! -w /var/run/docker.sock ]; then
    error "Please bind mount in the docker socket to /var/run/docker.sock"
    die "example:  docker run -v /var/run/docker.sock:/var/run/docker.sock ..."
fi
[ -n "$CATTLE_SERVER" ] || die "--server is a required option"
CATTLE_NODE_NAME=${CATTLE_NODE_NAME:-$(hostname -s)}
CATTLE_ADDRESS=$(get_address "$CATTLE_ADDRESS")
CATTLE_INTERNAL_ADDRESS=$(get_address "$CATTLE_INTERNAL_ADDRESS")
[ -n "$CATTLE_ADDRESS" ] ||
    CATTLE_ADDRESS=$(ip -o route get 8.8.8.8 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p')
download "$CATTLE_SERVER/ping" /tmp/ping >/tmp/fetch.reason ||
    die "$CATTLE_SERVER/ping is not accessible ($(cat /tmp/fetch.reason))"
[ -z "$CATTLE_CA_CHECKSUM" ] || check_ca
[ -n "$CATTLE_TOKEN" ] || die "--token is a required option"
[ -n "$CATTLE_ADDRESS" ] || die "--address is a required option"

info "Rancher agent version ${AGENT_IMAGE##*:} is starting"
check_tls
HOST_PORT=$(echo "$CATTLE_SERVER" | sed -E 's!^[a-z]+://([^/]*).*$!\1!')
case $HOST_PORT in
*:*) ;;
*) case $CATTLE_SERVER in https://*) HOST_PORT=$HOST_PORT:443 ;; *) HOST_PORT=$HOST_PORT:80 ;; esac ;;
esac
DOCKER_INFO=$(docker_info) || exit 1
PARAMS=$(tunnel_params | base64 -w 0)
info "Option requestedHostname=$CATTLE_NODE_NAME"
info "Option address=$CATTLE_ADDRESS internalAddress=$CATTLE_INTERNAL_ADDRESS roles=$CATTLE_ROLE"
info "Option labels=$CATTLE_NODE_LABEL taints=$CATTLE_NODE_TAINTS"
cd /var/lib/rancher || exit 1
while :; do
    connect_once
    interruptible sleep "$RETRY_SECONDS"
done
