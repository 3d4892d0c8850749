#!/usr/bin/env bash
# shellcheck disable=SC2317  # cleanup and on_signal are run by traps
# Runs a command with a throwaway PostgreSQL server, for the tests that run generated
# SQL against a real database (tests/integration/emit_sql.rs).
#
#   scripts/with-postgres.sh CMD [ARG...]
#
# Initialises a fresh cluster in a temporary directory with Debian's PostgreSQL
# (/usr/lib/postgresql/<version>/bin, the newest installed; scripts/install-validators.sh
# postgres installs it), starts it listening on 127.0.0.1 only, on a free port, with its
# unix socket inside the temporary directory, and runs CMD with
#
#   CHARTER_TEST_PG_URL=postgresql://postgres@127.0.0.1:<port>/postgres
#   CHARTER_TEST_PSQL=/usr/lib/postgresql/<version>/bin/psql
#
# The server trusts local connections (it exists only for the tests, on loopback, for
# the life of CMD). On exit, whether CMD passed, failed or was interrupted, the server
# is stopped and the directory deleted. Exits with CMD's status.
#
# PostgreSQL refuses to run as root: as root (CI, the dev machines) the server runs as
# the `postgres` OS user (runuser); as anyone else, as that user.
set -euo pipefail

if (($# == 0)); then
    echo "usage: scripts/with-postgres.sh CMD [ARG...]" >&2
    exit 64
fi

log() { printf 'with-postgres: %s\n' "$*" >&2; }
die() {
    printf 'with-postgres: error: %s\n' "$*" >&2
    exit 1
}

# Debian's binaries by absolute path: /usr/local/bin may hold other programs of the
# same names.
PG_BIN=
for dir in /usr/lib/postgresql/*/bin; do
    [[ -x $dir/initdb && -x $dir/pg_ctl ]] || continue
    if [[ -z $PG_BIN ]] || [[ $(printf '%s\n%s\n' "$PG_BIN" "$dir" | sort -V | tail -n1) == "$dir" ]]; then
        PG_BIN=$dir
    fi
done
[[ -n $PG_BIN ]] || die "no PostgreSQL server under /usr/lib/postgresql/*/bin: run scripts/install-validators.sh postgres"

if ((EUID == 0)); then
    id postgres >/dev/null 2>&1 || die "running as root needs the postgres OS user (Debian's postgresql package creates it)"
    as_server() { runuser -u postgres -- "$@"; }
    owner=postgres
else
    as_server() { "$@"; }
    owner=$(id -un)
fi

PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/charter-pg.XXXXXX")
chmod 700 "$PG_DIR"
chown "$owner" "$PG_DIR"
started=
child=

cleanup() {
    local status=$?
    trap - EXIT INT TERM HUP
    if [[ -n $started ]]; then
        (cd "$PG_DIR" && as_server "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1) ||
            log "warning: pg_ctl stop failed"
    fi
    rm -rf "$PG_DIR"
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

# The server's processes run with PG_DIR as their working directory (root's home is
# not readable by the postgres user).
(cd "$PG_DIR" && as_server "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres \
    --auth=trust --encoding=UTF8 --locale=C --no-sync >"$PG_DIR/initdb.log" 2>&1) ||
    die "initdb failed:
$(cat "$PG_DIR/initdb.log")"

# A free port: a random one that nothing answers on, retried if the server cannot bind
# it after all (another process may take it in between).
port=
for _ in 1 2 3 4 5 6 7 8 9 10; do
    candidate=$((20000 + RANDOM % 40000))
    if (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
        continue
    fi
    if (cd "$PG_DIR" && as_server "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $candidate -k $PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null 2>&1); then
        port=$candidate
        started=1
        break
    fi
done
[[ -n $port ]] || die "the PostgreSQL server did not start:
$(tail -n 20 "$PG_DIR/server.log" 2>/dev/null)"

export CHARTER_TEST_PG_URL="postgresql://postgres@127.0.0.1:$port/postgres"
export CHARTER_TEST_PSQL="$PG_BIN/psql"
log "PostgreSQL $("$PG_BIN/postgres" --version | sed 's/^postgres (PostgreSQL) //') on 127.0.0.1:$port (CHARTER_TEST_PG_URL)"

# CMD runs in the background (with this script's standard input) so that a signal
# reaches the traps above at once instead of after CMD ends.
"$@" <&0 &
child=$!
status=0
wait "$child" || status=$?
child=
exit "$status"
