#!/usr/bin/env bash
# The full test suite, exactly as CI runs it (`.ci/run` calls this script).
# Works on a fresh machine: it needs only the Rust toolchain; anything else a test
# needs is installed and started from here.
set -euo pipefail
cd "$(dirname "$0")/.."

# A persistent build directory outside the clone keeps CI fast; a fresh machine
# simply builds from scratch.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/charter-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

echo "== external validators (pinned; installed into .validators/ and .venv/)"
scripts/install-validators.sh

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets --locked -- -D warnings

# Benchmarks are type-checked by clippy above but not run here: `cargo test
# --all-targets` would run every criterion bench once on the L workload in a debug
# build (12 of the run's 15 minutes). They are run with `cargo bench`
# (docs/performance.md).
echo "== cargo test (with a throwaway PostgreSQL for the retention SQL and a moto AWS emulator, both on loopback)"
scripts/check-snapshots.sh scripts/with-postgres.sh scripts/with-moto.sh cargo test --lib --bins --tests --locked

echo "== charter on the repo's own spec (valid, generated/ fresh, formatted) and examples"
charter="$CARGO_TARGET_DIR/debug/charter"
"$charter" validate --spec .
"$charter" check --spec .
"$charter" fmt --check --spec .
for example in examples/*/; do
    "$charter" validate --spec "$example"
    "$charter" fmt --check --spec "$example"
done
