//! `--timings`: how long each stage of a command took, printed on stderr when the
//! command ends. Stages are recorded where the command runs them (`load`, the
//! compiler's `parse`/`resolve`/`check`, then `emit`, `schemas`, `write` or
//! `compare`); a stage recorded twice (a streaming build alternates emit, schemas
//! and write per family) is summed. Off unless asked for, and then only a clock read
//! per stage: the figures never reach stdout or a generated file.

use std::sync::Mutex;
use std::time::{Duration, Instant};

static STAGES: Mutex<Vec<(&'static str, Duration)>> = Mutex::new(Vec::new());

/// Adds `took` to `stage` (in first-recorded order).
pub(crate) fn record(stage: &'static str, took: Duration) {
    let mut stages = STAGES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    match stages.iter_mut().find(|(name, _)| *name == stage) {
        Some((_, total)) => *total += took,
        None => stages.push((stage, took)),
    }
}

/// Records the stages the compiler timed (`crate::Outcome::timings`).
pub(crate) fn record_all(stages: &[(&'static str, Duration)]) {
    for (stage, took) in stages {
        record(stage, *took);
    }
}

/// Runs `work` and records its time under `stage`.
pub(crate) fn time<T>(stage: &'static str, work: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = work();
    record(stage, start.elapsed());
    out
}

/// The stages recorded so far, and the wall time since `start`, as printed.
pub(crate) fn report(start: Instant) -> String {
    use std::fmt::Write as _;
    let stages = STAGES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut out = String::from("timings:\n");
    let mut counted = Duration::ZERO;
    for (stage, took) in stages.iter() {
        counted += *took;
        let _ = writeln!(out, "  {stage:<9} {:>10.1} ms", millis(*took));
    }
    let total = start.elapsed();
    let _ = writeln!(
        out,
        "  {:<9} {:>10.1} ms",
        "other",
        millis(total.saturating_sub(counted))
    );
    let _ = writeln!(out, "  {:<9} {:>10.1} ms", "total", millis(total));
    out
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
