//! `charter check`: the CI gate. Compiles the spec and compares every artifact with
//! the output directory without writing (`compare`): missing, stale (with a unified
//! diff) and extra files (an earlier build's, which `build` would prune) fail it;
//! files charter never produced are named and kept. Exit 0 when a `build` would
//! change nothing charter owns, 1 otherwise.

use std::fmt::Write as _;
use std::process::ExitCode;

use serde::Serialize;
use similar::TextDiff;

use crate::cli::{AnswerFormat, OutputArgs, SpecArgs};
use crate::cmd::compare::{Comparer, Seen};
use crate::cmd::{exit, load, pretty_json, timings, write_stdout};
use crate::diag::render_human::Style;
use crate::error::Error;

/// `--format json`: the comparison, with a diff for each stale file.
#[derive(Debug, Serialize)]
struct Freshness {
    fresh: bool,
    missing: Vec<String>,
    stale: Vec<Stale>,
    /// Files an earlier build produced and this spec no longer does.
    extra: Vec<String>,
    /// Files charter never produced: kept by `build`, not a failure.
    foreign: Vec<String>,
}

#[derive(Debug, Serialize)]
struct Stale {
    path: String,
    diff: String,
}

pub fn run(
    spec: &SpecArgs,
    output: &OutputArgs,
    format: AnswerFormat,
    style: Style,
) -> Result<ExitCode, Error> {
    let compiled = match load::load_compiled(spec, style)? {
        Ok(compiled) => compiled,
        Err(code) => return Ok(code),
    };
    let out = load::output_dir(spec, output);
    let mut comparer = Comparer::new(&out)?;
    let mut diffs = Vec::new();
    let mut total = 0usize;
    // Each artifact is compared as it comes and dropped; only diffs are kept.
    load::emit_checked(&compiled, spec, output, |artifact| {
        total += 1;
        timings::time("compare", || {
            if let Seen::Stale(old) = comparer.see(&artifact)? {
                let path = &artifact.path;
                let diff = TextDiff::from_lines(
                    String::from_utf8_lossy(&old).as_ref(),
                    artifact.contents.as_str(),
                )
                .unified_diff()
                .context_radius(3)
                .header(&format!("a/{path}"), &format!("b/{path}"))
                .to_string();
                diffs.push(Stale {
                    path: path.clone(),
                    diff,
                });
            }
            Ok(())
        })
    })?;
    let comparison = comparer.finish();
    diffs.sort_by(|a, b| a.path.cmp(&b.path));
    let report = Freshness {
        fresh: comparison.up_to_date(),
        missing: comparison.missing,
        stale: diffs,
        extra: comparison.removed,
        foreign: comparison.foreign,
    };
    let text = match format {
        AnswerFormat::Json => pretty_json(&report)?,
        AnswerFormat::Human => human(&report, &out.display().to_string(), total),
    };
    write_stdout(&text)?;
    Ok(ExitCode::from(if report.fresh {
        exit::CLEAN
    } else {
        exit::ERRORS
    }))
}

fn human(report: &Freshness, out: &str, total: usize) -> String {
    let mut text = String::new();
    for stale in &report.stale {
        text.push_str(&stale.diff);
    }
    for path in &report.missing {
        let _ = writeln!(text, "missing: {out}/{path}");
    }
    for path in &report.stale {
        let _ = writeln!(text, "stale:   {out}/{}", path.path);
    }
    for path in &report.extra {
        let _ = writeln!(
            text,
            "extra:   {out}/{path} (an earlier build produced it; this spec does not)"
        );
    }
    for path in &report.foreign {
        let _ = writeln!(
            text,
            "kept:    {out}/{path} (not charter's: `charter build` leaves it as it is)"
        );
    }
    if report.fresh {
        let _ = writeln!(text, "{out} is up to date: {total} files");
        return text;
    }
    let _ = writeln!(
        text,
        "{out} is not up to date: {} missing, {} stale, {} extra; run `charter build`",
        report.missing.len(),
        report.stale.len(),
        report.extra.len()
    );
    text
}
