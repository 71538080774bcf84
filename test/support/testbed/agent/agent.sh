# Shell functions both fake agents (rancher/agent 1.6, rancher/rancher-agent 2.x) source from /lib/agent.sh.
# Busybox wget crashes with -T and when it writes to a pipe that closes early: use `timeout` and files.
# HTTPS: openssl verifies the server's certificate against $CA_CERT_FILE when it exists, else against nothing (the
# image has no public CAs: a private server's certificate fails as it would), then busybox wget fetches without
# checking again. The sourcing script sets CA_CERT_FILE.
# shellcheck shell=sh

# As PID 1 the shell ignores TERM unless it is trapped; long steps run in the background (see interruptible)
# so that `docker stop` takes effect at once.
child=
trap 'kill $child 2>/dev/null; exit 1' INT TERM

info() { echo "INFO: $*"; }
error() { echo "ERROR: $*" >&2; }
die() {
    error "$@"
    exit 1
}

interruptible() {
    "$@" &
    child=$!
    wait $child
}

# verify_server URL: for an https URL, checks the server's certificate chain and name; on failure prints why.
verify_server() {
    case $1 in
    https://*) ;;
    *) return 0 ;;
    esac
    address=$(echo "$1" | sed -E 's!^https://([^/@]*@)?([^/?#]*).*$!\2!')
    host=${address%:*}
    [ "$host" != "$address" ] || address="$address:443"
    case $host in
    *[!0-9.]*) name_check="-verify_hostname $host" ;;
    *) name_check="-verify_ip $host" ;;
    esac
    trusted=
    [ -f "$CA_CERT_FILE" ] && trusted="-CAfile $CA_CERT_FILE"
    # shellcheck disable=SC2086 # the options are single words
    timeout 15 openssl s_client -connect "$address" $name_check $trusted -verify_return_error \
        </dev/null >/tmp/tls.out 2>&1 && return 0
    reason=$(sed -n 's/^verify error:num=[0-9]*://p' /tmp/tls.out | head -n 1)
    # Not a certificate problem (no answer, say): wget reports it in its own words.
    [ -n "$reason" ] || return 0
    echo "certificate verify failed: $reason"
    return 1
}

# download URL FILE [wget options...]: saves the body to FILE without checking the server's certificate (curl
# --insecure); on failure prints the reason and returns 1.
download() {
    url=$1
    out=$2
    shift 2
    rm -f "$out"
    timeout 15 wget -q -O "$out" --no-check-certificate "$@" "$url" 2>/tmp/wget.err && return 0
    sed -n 's/^wget: //p' /tmp/wget.err | tail -n 1 | grep . || echo "no answer within 15 s"
    return 1
}

# fetch URL FILE [wget options...]: download, once the server's certificate has been verified.
fetch() {
    rm -f "$2"
    verify_server "$1" || return 1
    download "$@"
}
