#!/bin/sh
# Entrypoint of the test bed's fake rancher/agent v1.2.11 (busybox sh and the machine's docker CLI).
# Bootstrap mode (argument: the registration URL) does what the real agent's run.sh does (rancher/rancher
# v1.6, agent/run.sh and register.py): check its surroundings, fetch the registration script, register the
# machine's key, then replace the `rancher-agent` container. `run` mode stands in for the Go agent: it
# reports to the simulator's /_sim/agent/ping instead of answering pings over a websocket.
# HTTPS: the real agent trusts /var/lib/rancher/etc/ssl/ca.crt when it exists, else only its image's public CAs,
# and has no insecure mode; /lib/agent.sh's fetch does the same.

STATE_DIR=/var/lib/rancher/state
# shellcheck disable=SC2034 # read by /lib/agent.sh
CA_CERT_FILE=/var/lib/rancher/etc/ssl/ca.crt
URL_ATTEMPTS=10
# Variables the real agent hands on to the long-running rancher-agent container, and no others.
PASS_THROUGH_ENV="http_proxy HTTP_PROXY https_proxy HTTPS_PROXY NO_PROXY no_proxy CATTLE_SCHEDULER_IPS
CATTLE_SCHEDULER_REQUIRE_ANY CATTLE_PHYSICAL_HOST_UUID CATTLE_DOCKER_UUID CATTLE_SCRIPT_DEBUG CATTLE_ACCESS_KEY
CATTLE_SECRET_KEY CATTLE_AGENT_IP CATTLE_HOST_API_PROXY CATTLE_URL CATTLE_HOST_LABELS CATTLE_VOLMGR_ENABLED
CATTLE_RUN_FIO CATTLE_MEMORY_OVERRIDE CATTLE_MILLI_CPU_OVERRIDE CATTLE_LOCAL_STORAGE_MB_OVERRIDE
CATTLE_DETECT_CLOUD_PROVIDER CATTLE_CHECK_NAMESERVER RANCHER_DEBUG"

# shellcheck source=agent.sh
. /lib/agent.sh

basic_auth() {
    printf 'Authorization: Basic %s' "$(printf '%s:%s' "$1" "$2" | base64 -w 0)"
}

# first_item FILE: the first element of a JSON collection's top-level "data" array.
first_item() {
    awk 'BEGIN { RS = "\001" }
    {
        if (!match($0, /"data" *: *\[/)) exit
        s = substr($0, RSTART + RLENGTH); depth = 0; quoted = 0
        for (i = 1; i <= length(s); i++) {
            c = substr(s, i, 1)
            if (quoted) { if (c == "\\") i++; else if (c == "\"") quoted = 0; continue }
            if (c == "\"") quoted = 1
            else if (c == "{" || c == "[") depth++
            else if (c == "}" || c == "]") {
                if (depth == 0) exit
                if (--depth == 0) { print substr(s, 1, i); exit }
            }
        }
    }' "$1"
}

# string_field NAME: the value of a string field of the JSON object on stdin (empty when absent or null).
string_field() {
    grep -o "\"$1\" *: *\"[^\"]*\"" | head -n 1 | sed 's/.*"\([^"]*\)"$/\1/'
}

container_image() {
    docker inspect -f '{{.Config.Image}}' "$1" 2>/tmp/inspect.err ||
        die "Cannot inspect container $1 to find the agent image: $(cat /tmp/inspect.err)"
}

valid_agent_ip() {
    echo "$1" | grep -Eq '^([0-9]{1,3}\.){3}[0-9]{1,3}$' || return 1
    for octet in $(echo "$1" | tr . ' '); do
        [ "$octet" -le 255 ] || return 1
    done
    case $1 in
    127.* | 0.0.0.0 | 255.255.255.255) return 1 ;;
    esac
}

url_host() {
    echo "$1" | sed -E 's!^[a-zA-Z]+://([^/@]*@)?(\[[^]]*\]|[^/:?#]*).*$!\2!'
}

# The registration URL as the real agent prints it: everything after /v1 dropped.
server_url() {
    echo "$1" | sed 's!/v1/scripts.*!/v1!'
}

wait_for_script() {
    server=$(server_url "$REGISTRATION_URL")
    info "Attempting to connect to: $server"
    attempt=1
    until interruptible fetch "$REGISTRATION_URL" /tmp/registration.sh >/tmp/fetch.reason; do
        error "$server is not accessible ($(cat /tmp/fetch.reason))"
        [ "$attempt" -lt "$URL_ATTEMPTS" ] || die "Could not reach $server. Giving up."
        attempt=$((attempt + 1))
        interruptible sleep 1
    done
    info "$server is accessible"
}

load_registration_script() {
    if ! head -n 1 /tmp/registration.sh | grep -q '^#!/bin/sh'; then
        cat /tmp/registration.sh && echo
        die "$REGISTRATION_URL did not return a registration script"
    fi
    . /tmp/registration.sh
    CATTLE_URL=${CATTLE_URL_OVERRIDE:-$CATTLE_URL}
    export CATTLE_URL
    given=$(server_url "$REGISTRATION_URL")
    case $given in
    */v1) [ "$given" = "$CATTLE_URL" ] ||
        die "Configured Host Registration URL does not match given URL ($CATTLE_URL != $given)" ;;
    esac
}

# The per-machine key that makes a re-run reuse the same registration (inspect-host in the real agent).
registration_key() {
    mkdir -p "$STATE_DIR"
    [ -s "$STATE_DIR/.registration_token" ] ||
        od -An -vtx1 -N64 /dev/urandom | tr -d ' \n' >"$STATE_DIR/.registration_token"
    cat "$STATE_DIR/.registration_token"
}

register() {
    key=$(registration_key)
    auth=$(basic_auth "$CATTLE_REGISTRATION_ACCESS_KEY" "$CATTLE_REGISTRATION_SECRET_KEY")
    lookup="$CATTLE_URL/register?key=$key"
    interruptible fetch "$lookup" /tmp/register.json --header "$auth" >/tmp/fetch.reason ||
        die "Registration lookup failed ($(cat /tmp/fetch.reason))"
    if [ -z "$(first_item /tmp/register.json)" ]; then
        info "Registering this machine"
        interruptible fetch "$CATTLE_URL/register" /tmp/created.json --header "$auth" \
            --header "Content-Type: application/json" --post-data "{\"key\":\"$key\"}" >/tmp/fetch.reason ||
            die "Registration failed ($(cat /tmp/fetch.reason))"
    fi
    for _ in $(seq 300); do
        interruptible fetch "$lookup" /tmp/register.json --header "$auth" >/tmp/fetch.reason ||
            die "Registration lookup failed ($(cat /tmp/fetch.reason))"
        item=$(first_item /tmp/register.json)
        CATTLE_ACCESS_KEY=$(echo "$item" | string_field accessKey)
        CATTLE_SECRET_KEY=$(echo "$item" | string_field secretKey)
        if [ "$(echo "$item" | string_field state)" = active ] && [ -n "$CATTLE_ACCESS_KEY" ] &&
            [ -n "$CATTLE_SECRET_KEY" ]; then
            export CATTLE_ACCESS_KEY CATTLE_SECRET_KEY
            return
        fi
        interruptible sleep 1
    done
    die "The registration did not become active"
}

launch_agent() {
    while docker inspect rancher-agent >/dev/null 2>&1; do
        info "Deleting container rancher-agent"
        docker rm -f rancher-agent >/dev/null 2>&1
    done
    env_options=
    for name in $PASS_THROUGH_ENV; do
        env_options="$env_options -e $name"
    done
    id=$(docker run -d --name rancher-agent --restart=always --net=host --pid=host --privileged \
        --oom-score-adj=-500 -e CATTLE_AGENT_PIDNS=host $env_options \
        -v /var/run/docker.sock:/var/run/docker.sock -v /var/lib/rancher:/var/lib/rancher \
        "$RANCHER_AGENT_IMAGE" run) || die "Failed to start rancher-agent"
    info "Launched Rancher Agent: $id"
}

bootstrap() {
    REGISTRATION_URL=$1
    [ -S /var/run/docker.sock ] ||
        die "/var/run/docker.sock is not mounted: run the agent with -v /var/run/docker.sock:/var/run/docker.sock"
    RANCHER_AGENT_IMAGE=$(container_image "$(hostname)") || exit 1
    if [ -n "$CATTLE_AGENT_IP" ] && ! valid_agent_ip "$CATTLE_AGENT_IP"; then
        die "Invalid CATTLE_AGENT_IP ($CATTLE_AGENT_IP)"
    fi
    case $(url_host "$REGISTRATION_URL") in
    localhost | 127.0.0.1) die "Rancher server URL can not be localhost or 127.0.0.1: $REGISTRATION_URL" ;;
    esac
    info "Running Agent Registration Process, CATTLE_URL=$(server_url "$REGISTRATION_URL")"
    wait_for_script
    load_registration_script
    if [ -n "$CATTLE_ACCESS_KEY" ] && [ -n "$CATTLE_SECRET_KEY" ]; then
        info "Skipping registration"
    else
        register
    fi
    launch_agent
}

# identity FILE OVERRIDE: a uuid kept in the state folder (the Go agent's docker and physical host uuids).
identity() {
    if [ -n "$2" ]; then
        echo "$2"
        return
    fi
    mkdir -p "$STATE_DIR"
    [ -s "$STATE_DIR/$1" ] || cat /proc/sys/kernel/random/uuid >"$STATE_DIR/$1"
    cat "$STATE_DIR/$1"
}

run_agent() {
    image=$(container_image rancher-agent) || exit 1
    ping_url="${CATTLE_URL%/v1}/_sim/agent/ping"
    auth=$(basic_auth "$CATTLE_ACCESS_KEY" "$CATTLE_SECRET_KEY")
    report=$(printf 'hostname=%s\nuuid=%s\nphysicalHostUuid=%s\nagentIp=%s\nlabels=%s\nimage=%s' \
        "$(hostname -f 2>/dev/null || hostname)" \
        "$(identity .docker_uuid "$CATTLE_DOCKER_UUID")" \
        "$(identity .physical_host_uuid "$CATTLE_PHYSICAL_HOST_UUID")" \
        "$CATTLE_AGENT_IP" "$CATTLE_HOST_LABELS" "$image")
    info "Reporting to $ping_url"
    while :; do
        if interruptible fetch "$ping_url" /tmp/ping.answer --header "$auth" \
            --header "Content-Type: text/plain" --post-data "$report" >/tmp/fetch.reason; then
            delay=$(cat /tmp/ping.answer)
        elif grep -q ' 401 ' /tmp/fetch.reason; then
            error "Credentials are no longer valid, please re-register this agent"
            delay=10
        else
            error "Ping failed ($(cat /tmp/fetch.reason))"
            delay=5
        fi
        case $delay in
        '' | *[!0-9.]*) delay=5 ;;
        esac
        interruptible sleep "$delay"
    done
}

case $1 in
http://* | https://*) bootstrap "$1" ;;
run) run_agent ;;
*) die "One parameter required: the registration URL (or run)" ;;
esac
