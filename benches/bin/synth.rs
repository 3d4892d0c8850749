//! Writes a synthetic charter spec of a given size, for benchmarks and scale tests.
//!
//! ```text
//! cargo run --release --example synth -- PRESET DIR
//! ```
//!
//! `PRESET` is `L` (the reference workload of docs/performance.md: 1,000
//! environments, 2,000 groups, 50 alerts, ~1 MB of KDL), `L/10` or `small`. `DIR` is
//! created if missing; existing files with the generated names are overwritten.

#[path = "../support/synth.rs"]
mod synth;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [preset, dir] = args.as_slice() else {
        eprintln!("usage: synth PRESET DIR   (PRESET: L, L/10 or small)");
        return ExitCode::from(2);
    };
    let Some(shape) = synth::Shape::preset(preset) else {
        eprintln!("synth: unknown preset `{preset}` (expected L, L/10 or small)");
        return ExitCode::from(2);
    };
    let files = synth::generate(&shape);
    let dir = PathBuf::from(dir);
    if let Err(error) = synth::write(&dir, &files) {
        eprintln!("synth: cannot write {}: {error}", dir.display());
        return ExitCode::FAILURE;
    }
    println!(
        "synth: wrote {} files, {} bytes, to {}",
        files.len(),
        synth::total_bytes(&files),
        dir.display()
    );
    ExitCode::SUCCESS
}
