#!/usr/bin/env bash
# Coverage-guided fuzzing of charter's whole pipeline (parse → resolve → check →
# emit → schema validation) with cargo-afl on the stable toolchain, on ONE core.
#
#   scripts/fuzz.sh [SECONDS]     # default 1200 (20 minutes)
#
# Installs what it needs (cargo-afl, pinned, with the AFL++ it builds), builds fuzz/ (its own
# crate, outside the main build), seeds a corpus from every spec in the repository
# (tests/fixtures/**/charter.kdl with their environments/ and policies/ files, the
# repository's own spec, examples/*), runs afl-fuzz with fuzz/kdl.dict and prints
# executions, paths found, crashes and hangs. Crashes land in
# $FUZZ_OUT/default/crashes; replay one with
#   (cd fuzz && cargo run --release --bin replay -- FILE)
# Not part of scripts/test.sh: it runs for minutes. See docs/fuzzing.md.
set -euo pipefail

SECONDS_TO_RUN="${1:-1200}"
CARGO_AFL_VERSION=0.18.2
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
FUZZ_OUT="${FUZZ_OUT:-$ROOT/fuzz/out}"
SEEDS="$ROOT/fuzz/seeds"
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$HOME/.cache/charter-target-fuzz-afl}"

# --- tools (pinned) ---------------------------------------------------------------
# cargo-afl builds its own AFL++ (4.40c) when it is installed; `config --build`
# builds it again when that copy is missing (a new toolchain).
if ! cargo afl --version 2>/dev/null | grep -q "^cargo-afl $CARGO_AFL_VERSION "; then
    cargo install cargo-afl --version "$CARGO_AFL_VERSION" --locked
fi
compgen -G "${XDG_DATA_HOME:-$HOME/.local/share}/afl.rs/rustc-$(rustc -V | cut -d' ' -f2)-*/afl.rs-$CARGO_AFL_VERSION/afl/bin/afl-fuzz" >/dev/null ||
    cargo afl config --build

# --- build ------------------------------------------------------------------------
(cd "$ROOT/fuzz" && nice -n 10 cargo afl build --release --locked --bin pipeline)
TARGET="$CARGO_TARGET_DIR/release/pipeline"

# --- seeds: one input per spec, its files joined by `//@ PATH` marker lines --------
rm -rf "$SEEDS" && mkdir -p "$SEEDS"
seed() { # seed DIR NAME: the loader's files of DIR as one input
    local dir="$1" out="$SEEDS/$2"
    cat "$dir/charter.kdl" >"$out"
    for sub in environments policies; do
        [ -d "$dir/$sub" ] || continue
        (cd "$dir" && find "$sub" -type f \( -name '*.kdl' -o -name '*.json' \) | LC_ALL=C sort) |
            while read -r rel; do
                printf '\n//@ %s\n' "$rel" >>"$out"
                cat "$dir/$rel" >>"$out"
            done
    done
}
seed "$ROOT" repo
for dir in "$ROOT"/examples/*/; do
    [ -f "$dir/charter.kdl" ] && seed "$dir" "example-$(basename "$dir")"
done
while read -r file; do
    dir="$(dirname "$file")"
    seed "$dir" "fixture-$(realpath --relative-to="$ROOT/tests/fixtures" "$dir" | tr / -)"
done < <(find "$ROOT/tests/fixtures" -name charter.kdl | LC_ALL=C sort)
for file in "$ROOT"/fuzz/regressions/*; do # every input the fuzzer crashed on
    cp "$file" "$SEEDS/regression-$(basename "$file")"
done
echo "seeds: $(ls "$SEEDS" | wc -l) specs"

# --- run on one core --------------------------------------------------------------
rm -rf "$FUZZ_OUT"
export AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
export AFL_TESTCACHE_SIZE=100
# -t: a spec that takes more than 2 s is a hang worth keeping.
nice -n 10 cargo afl fuzz -i "$SEEDS" -o "$FUZZ_OUT" -x "$ROOT/fuzz/kdl.dict" \
    -V "$SECONDS_TO_RUN" -t 2000 -m none -- "$TARGET" >"$FUZZ_OUT.log" 2>&1 || {
    tail -40 "$FUZZ_OUT.log"; exit 1; }

# --- report -----------------------------------------------------------------------
STATS="$FUZZ_OUT/default/fuzzer_stats"
grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|corpus_found|saved_crashes|saved_hangs|bitmap_cvg|stability)\b' "$STATS"
crashes=$(find "$FUZZ_OUT/default/crashes" -type f -name 'id:*' | wc -l)
hangs=$(find "$FUZZ_OUT/default/hangs" -type f -name 'id:*' | wc -l)
echo "crashes: $crashes, hangs: $hangs (in $FUZZ_OUT/default/)"
