#!/usr/bin/env bash
# shellcheck disable=SC2317  # cleanup and on_signal are run by traps
# Runs a command with a throwaway moto server (an emulator of the AWS API), for the
# tests that call SSM and Secrets Manager through the real AWS SDK
# (tests/integration/drift.rs).
#
#   scripts/with-moto.sh CMD [ARG...]
#
# Starts .venv/bin/moto_server (scripts/install-validators.sh moto installs it) on
# 127.0.0.1 only, on a free port, and runs CMD with
#
#   CHARTER_TEST_AWS_ENDPOINT=http://127.0.0.1:<port>
#
# The server keeps its state in memory for the life of CMD; tests keep apart by
# prefix. On exit, whether CMD passed, failed or was interrupted, the server is
# stopped and its log deleted. Exits with CMD's status.
set -euo pipefail

if (($# == 0)); then
    echo "usage: scripts/with-moto.sh CMD [ARG...]" >&2
    exit 64
fi

log() { printf 'with-moto: %s\n' "$*" >&2; }
die() {
    printf 'with-moto: error: %s\n' "$*" >&2
    exit 1
}

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
MOTO="$ROOT/.venv/bin/moto_server"
[[ -x $MOTO ]] || die "$MOTO is missing: run scripts/install-validators.sh moto"

LOG_FILE=$(mktemp "${TMPDIR:-/tmp}/charter-moto.XXXXXX")
server=
child=

stop_server() {
    if [[ -n $server ]]; then
        kill "$server" 2>/dev/null || true
        # moto exits on SIGTERM at once; give it a few seconds, then insist.
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            kill -0 "$server" 2>/dev/null || break
            sleep 0.3
        done
        kill -KILL "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
        server=
    fi
}

cleanup() {
    local status=$?
    trap - EXIT INT TERM HUP
    stop_server
    rm -f "$LOG_FILE"
    exit "$status"
}
# On a signal, CMD is stopped first (with the same signal), then the server.
on_signal() {
    if [[ -n $child ]]; then
        kill "-$1" "$child" 2>/dev/null || true
        wait "$child" 2>/dev/null || true
    fi
    exit "$2"
}
trap cleanup EXIT
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM
trap 'on_signal HUP 129' HUP

# Whether something answers HTTP on 127.0.0.1:$1 (moto's own API, which lists nothing).
answers() {
    "$ROOT/.venv/bin/python" -c '
import sys, urllib.request
urllib.request.urlopen("http://127.0.0.1:%s/moto-api/data.json" % sys.argv[1], timeout=2).read()' "$1" 2>/dev/null
}

# A free port: a random one that nothing answers on, retried if the server cannot
# bind it after all (another process may take it in between).
port=
for _ in 1 2 3 4 5 6 7 8 9 10; do
    candidate=$((20000 + RANDOM % 40000))
    if (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
        continue
    fi
    "$MOTO" -H 127.0.0.1 -p "$candidate" >"$LOG_FILE" 2>&1 &
    server=$!
    # Up to 30 s for the server to answer (it imports every service model first).
    for _ in $(seq 1 150); do
        if ! kill -0 "$server" 2>/dev/null; then
            break
        fi
        if answers "$candidate"; then
            port=$candidate
            break
        fi
        sleep 0.2
    done
    [[ -n $port ]] && break
    stop_server
done
[[ -n $port ]] || die "moto_server did not start:
$(tail -n 20 "$LOG_FILE" 2>/dev/null)"

export CHARTER_TEST_AWS_ENDPOINT="http://127.0.0.1:$port"
log "moto $("$ROOT/.venv/bin/python" -c 'import moto; print(moto.__version__)') on 127.0.0.1:$port (CHARTER_TEST_AWS_ENDPOINT)"

# CMD runs in the background (with this script's standard input) so that a signal
# reaches the traps above at once instead of after CMD ends.
"$@" <&0 &
child=$!
status=0
wait "$child" || status=$?
child=
exit "$status"
