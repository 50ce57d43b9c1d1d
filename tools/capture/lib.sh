# Shared helpers for the capture scripts (sourced, bash).
# shellcheck shell=bash
set -euo pipefail

TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$TOOLS/../.." && pwd)
CAP=${CAPTURE_ROOT:-/opt/capture}
OUT=$REPO/tests/captured
PY=/usr/bin/python3
# sink listeners: port:profile (2531 is deliberately left closed: "connection refused")
SINK_LISTEN=(2525:default 2526:greet554 2527:greet421 2528:greetstall 2529:helo550 2530:helo421 2532:greetdrop)
SINK_PORT=2525
CLOSED_PORT=2531
PIDS=()

log() { printf '[%s %s] %s\n' "$(date +%H:%M:%S)" "${SCRIPT_NAME:-capture}" "$*" >&2; }

# Kill every process this script started (by pid), then wait a bounded time.
cleanup_pids() {
    local p i
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for i in $(seq 1 50); do
        local alive=0
        for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
        [ $alive = 0 ] && break
        sleep 0.1
    done
    for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
    PIDS=()
}

# Download .debs (apt-get download) into $CAP/debs unless present.
fetch_debs() {
    mkdir -p "$CAP/debs"
    local missing=() p
    for p in "$@"; do
        ls "$CAP/debs/${p}_"*.deb >/dev/null 2>&1 || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        log "apt-get download ${missing[*]}"
        (cd "$CAP/debs" && apt-get download "${missing[@]}" >/dev/null 2>&1) ||
            { apt-get update >/dev/null 2>&1; (cd "$CAP/debs" && apt-get download "${missing[@]}" >/dev/null); }
    fi
}

# unpack NAME PKG...: dpkg-deb -x each package into $CAP/NAME/root (once).
unpack() {
    local name=$1; shift
    local root=$CAP/$name/root p
    if [ ! -f "$root/.unpacked" ]; then
        rm -rf "$root"; mkdir -p "$root"
        for p in "$@"; do dpkg-deb -x "$CAP/debs/${p}_"*.deb "$root"; done
        touch "$root/.unpacked"
    fi
}

# Library dependencies of the unpacked programs (these do not conflict), installed normally.
ensure_libs() {
    local missing=() p
    for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
    if [ ${#missing[@]} -gt 0 ]; then
        log "apt-get install ${missing[*]}"
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
    fi
}

ensure_group() { getent group "$1" >/dev/null || groupadd --system "$1"; }
ensure_user() {  # ensure_user NAME [GROUP]
    local g=${2:-$1}
    ensure_group "$g"
    getent passwd "$1" >/dev/null || useradd --system --gid "$g" --home-dir /nonexistent --shell /usr/sbin/nologin "$1"
}

# Re-run the calling script inside a private network namespace (only a loopback interface), so
# that nothing it starts can reach any address but 127.0.0.1.  Falls back to the host network
# (every config already routes to 127.0.0.1 only and disables DNS) when unshare is unavailable.
enter_netns() {
    if [ -z "${CAPTURE_NETNS:-}" ]; then
        if unshare -n -m -u --propagation private true 2>/dev/null; then
            log "entering private network (loopback only), mount and UTS namespaces"
            exec unshare -n -m -u --propagation private env CAPTURE_NETNS=1 bash "$0" "$@"
        fi
        log "unshare -n unavailable: running on the host network"
        export CAPTURE_NETNS=host
    elif [ "$CAPTURE_NETNS" = 1 ]; then
        ip link set lo up
    fi
}

wait_port() {  # wait_port PORT SECONDS
    local i
    for i in $(seq 1 $(( $2 * 10 ))); do
        (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
        sleep 0.1
    done
    log "port $1 did not open within $2 s"; return 1
}

start_sink() {  # start_sink RUNDIR
    local run=$1 a=()
    mkdir -p "$run/sink-spool"
    for l in "${SINK_LISTEN[@]}"; do a+=(--listen "$l"); done
    $PY "$TOOLS/sink.py" "${a[@]}" --table "$TOOLS/sink-replies.tsv" --spool "$run/sink-spool" \
        --events "$run/sink-events.jsonl" --max-runtime "${SINK_MAX_RUNTIME:-600}" --stall "${SINK_STALL:-90}" \
        >"$run/sink.out" 2>&1 &
    PIDS+=($!)
    wait_port $SINK_PORT 10
}

# Submit the client-role cases (client-cases.tsv) to an MTA listening on PORT.
submit_client_cases() {  # submit_client_cases PORT MTA RUNDIR
    $PY "$TOOLS/submit.py" --port "$1" --mta "$2" --cases "$TOOLS/client-cases.tsv" --out "$3/submitted.jsonl" ${SUBMIT_PAUSE:+--pause $SUBMIT_PAUSE}
}

# wait_until SECONDS CMD...: poll CMD every second until it succeeds or time runs out.
wait_until() {
    local t=$1; shift
    local i
    for i in $(seq 1 "$t"); do "$@" && return 0; sleep 1; done
    return 1
}
