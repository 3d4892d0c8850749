//! charter: a policy-as-code compiler. One KDL spec of a service platform is parsed,
//! resolved and checked into a sealed, immutable model, which is compiled into the
//! files a platform team otherwise keeps by hand.
//!
//! The pipeline: [`parse`] → [`resolve`] → [`check`] → [`model::Model`] → [`emit`].
//! The driver [`compile`] chains the first three and stops after a stage that
//! produced errors; every later stage (`emit`, `query`, `graph`, the commands) reads
//! only the model. No stage imports a later one (`tests/integration/architecture.rs`).

pub mod apply;
pub mod canonical;
pub mod check;
pub mod cli;
pub mod cmd;
pub mod diag;
pub mod diff;
pub mod drift;
pub mod emit;
pub mod error;
pub mod escape;
pub mod graph;
pub mod id;
pub mod model;
pub mod parse;
pub mod query;
pub mod resolve;
pub mod source;
pub mod spec;
mod suggest;

use jiff::civil::Date;

use check::policy;
use diag::finding::Finding;
use diag::finding::Waived;
use model::Model;
use source::{SourceId, Sources};

/// What the checks need from outside the spec: today's date (UTC), injectable so
/// that waiver expiry is testable.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub today: Date,
    /// Ignore every waiver (audits see everything).
    pub no_waivers: bool,
    /// Warn about live waivers that expire within this many days.
    pub warn_expiry_days: u32,
}

impl Options {
    /// Defaults for a given day: waivers apply, 30 days' notice of expiry.
    pub fn on(today: Date) -> Self {
        Self {
            today,
            no_waivers: false,
            warn_expiry_days: 30,
        }
    }
}

/// Everything one compilation produced.
#[derive(Debug)]
pub struct Outcome {
    /// Sorted by file, position and code; de-duplicated.
    pub findings: Vec<Finding>,
    /// Findings accepted by a live waiver.
    pub waived: Vec<Waived>,
    /// Present only when no error is left.
    pub model: Option<Model>,
    /// How long each stage took (`parse`, `resolve`, `check`), in order.
    pub timings: Vec<(&'static str, std::time::Duration)>,
}

impl Outcome {
    pub fn has_errors(&self) -> bool {
        self.findings
            .iter()
            .any(|f| f.severity == diag::finding::Severity::Error)
    }
}

/// Parses, resolves and checks a loaded spec.
pub fn compile(sources: &Sources, options: &Options) -> Outcome {
    let root = sources
        .iter()
        .find(|(_, f)| f.path == "charter.kdl")
        .map_or(SourceId(0), |(id, _)| id);
    let mut timings = Vec::new();
    let mut clock = std::time::Instant::now();
    let mut lap = |stage: &'static str| {
        let now = std::time::Instant::now();
        timings.push((stage, now - clock));
        clock = now;
    };
    let parse::Parsed {
        spec,
        mut findings,
        unreadable,
    } = parse::parse_spec(sources);
    lap("parse");
    let mut sealed = None;
    let mut checked = false;
    // Name-level problems (duplicates, dangling references, cycles) are reported
    // even when some nodes had errors; the checks need a spec without errors.
    let parsed_clean = !findings.has_errors();
    if unreadable == 0 {
        let resolution = resolve::resolve(&spec, root, &mut findings);
        lap("resolve");
        if parsed_clean && !findings.has_errors() {
            check::run_checks(&resolution, sources, &mut findings);
            checked = true;
            sealed = check::seal(&resolution, sources, &mut findings);
        }
    }
    let (findings, waived) = policy::apply(&spec, findings, options, checked);
    let model = if findings.has_errors() { None } else { sealed };
    let findings = findings.into_sorted();
    lap("check");
    Outcome {
        findings,
        waived,
        model,
        timings,
    }
}
