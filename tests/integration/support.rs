//! Shared helpers: load a spec directory, compile it on a fixed date, render it the
//! way snapshots expect (plain graphical report, width 80; JSON).

use std::path::{Path, PathBuf};

use charter::diag::render_human::{self, Style};
use charter::diag::render_json;
use charter::source::Sources;
use charter::{Options, Outcome};

/// The date every test compiles on (waiver expiry is judged against it).
pub fn today() -> jiff::civil::Date {
    jiff::civil::date(2026, 11, 25)
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn load(dir: &Path) -> Sources {
    charter::cmd::load::load_spec(dir)
        .unwrap_or_else(|e| panic!("cannot load {}: {e}", dir.display()))
}

pub fn compile(sources: &Sources) -> Outcome {
    charter::compile(sources, &Options::on(today()))
}

/// The human report as a snapshot shows it: no color, width 80.
pub fn human(sources: &Sources, outcome: &Outcome) -> String {
    render_human::render(
        sources,
        &outcome.findings,
        &outcome.waived,
        Style::Plain,
        80,
    )
}

pub fn json(sources: &Sources, outcome: &Outcome) -> String {
    render_json::render(sources, &outcome.findings, &outcome.waived)
}
