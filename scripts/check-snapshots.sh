#!/usr/bin/env bash
# Runs a test command and fails if a snapshot under tests/integration/snapshots/ was
# not used by it: an orphan, left behind when a test or a fixture was renamed or
# removed, that nothing checks any more.
#
#   scripts/check-snapshots.sh CMD [ARG...]
#
# e.g. scripts/check-snapshots.sh cargo test --lib --bins --tests --locked
#
# CMD runs with INSTA_SNAPSHOT_REFERENCES_FILE set to a fresh temporary file; insta
# appends to it the path of every snapshot file an assertion reads, passing or not,
# in every test binary CMD runs. When CMD passes, every `*.snap` file on disk must
# be in that list (pending `.snap.new` files are not counted). The check means
# something only for a command that runs every test: a filtered run (`cargo test
# -- NAME`) leaves the other snapshots unread. Exits with CMD's status if it failed,
# 1 if there are orphans, 0 otherwise.
set -euo pipefail

if (($# == 0)); then
    echo "usage: scripts/check-snapshots.sh CMD [ARG...]" >&2
    exit 64
fi

die() {
    printf 'check-snapshots: error: %s\n' "$*" >&2
    exit 1
}

ROOT="$(cd "$(dirname "$0")/.." && pwd -P)"
SNAPSHOTS="tests/integration/snapshots"
[[ -d $ROOT/$SNAPSHOTS ]] || die "$ROOT/$SNAPSHOTS is not a directory"

REFERENCES=$(mktemp "${TMPDIR:-/tmp}/charter-snapshot-references.XXXXXX")
trap 'rm -f "$REFERENCES"' EXIT

status=0
INSTA_SNAPSHOT_REFERENCES_FILE="$REFERENCES" "$@" || status=$?
((status == 0)) || exit "$status"

[[ -s $REFERENCES ]] ||
    die "the test run read no snapshot (is insta still in use, and did CMD run the integration tests?)"

# insta writes each path as the test binary built it: absolute, from the crate's
# manifest directory. Resolve symlinks and `..` so both lists name files alike, then
# make them relative to the repository.
referenced=$(
    while IFS= read -r path; do
        [[ -n $path ]] || continue
        path=$(realpath -m -- "$path")
        printf '%s\n' "${path#"$ROOT"/}"
    done <"$REFERENCES" | sort -u
)
on_disk=$(cd "$ROOT" && find "$SNAPSHOTS" -type f -name '*.snap' | sort)

orphans=$(comm -23 <(printf '%s\n' "$on_disk") <(printf '%s\n' "$referenced"))
if [[ -n $orphans ]]; then
    {
        echo "check-snapshots: $(wc -l <<<"$orphans") snapshot file(s) under $SNAPSHOTS/ were not used by any test:"
        while IFS= read -r orphan; do
            printf '  %s\n' "$orphan"
        done <<<"$orphans"
        echo "Delete them (git rm) if their test or fixture is gone, or rename them to the name the test now asserts."
    } >&2
    exit 1
fi
echo "check-snapshots: all $(wc -l <<<"$on_disk") snapshot files under $SNAPSHOTS/ were used"
