//! `charter validate`: load, compile, report; exit 0 clean, 1 with errors.

use std::process::ExitCode;

use crate::Options;
use crate::cli::{Format, PolicyArgs, SpecArgs};
use crate::cmd::{exit, load::load_spec, timings, today_utc, write_stdout};
use crate::diag::finding::Severity;
use crate::diag::{render_github, render_human, render_json, render_sarif};
use crate::error::Error;

pub fn run(
    spec: &SpecArgs,
    policy: &PolicyArgs,
    format: Format,
    style: render_human::Style,
) -> Result<ExitCode, Error> {
    let sources = timings::time("load", || load_spec(&spec.spec))?;
    let options = Options {
        today: spec.today.unwrap_or_else(today_utc),
        no_waivers: policy.no_waivers,
        warn_expiry_days: policy.warn_expiry,
    };
    let mut outcome = crate::compile(&sources, &options);
    timings::record_all(&outcome.timings);
    if policy.deny_warnings {
        for finding in &mut outcome.findings {
            finding.severity = Severity::Error;
        }
    }
    // SARIF and annotations name files from the repository root: a relative --spec
    // is that prefix; for an absolute one, paths stay relative to the spec.
    let root = if spec.spec.is_absolute() {
        String::new()
    } else {
        spec.spec.to_string_lossy().replace('\\', "/")
    };
    let root = root.trim_start_matches("./");
    let text = timings::time("report", || match format {
        Format::Human => {
            render_human::render(&sources, &outcome.findings, &outcome.waived, style, 100)
        }
        Format::Json => render_json::render(&sources, &outcome.findings, &outcome.waived),
        Format::Sarif => render_sarif::render(&sources, &outcome.findings, root),
        Format::Github => render_github::render(&sources, &outcome.findings, root),
    });
    write_stdout(&text)?;
    Ok(ExitCode::from(if outcome.has_errors() {
        exit::ERRORS
    } else {
        exit::CLEAN
    }))
}
