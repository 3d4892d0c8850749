//! `charter check`: the CI gate. Compiles the spec and compares every artifact with
//! the output directory without writing: missing, stale (with a unified diff) and
//! extra files. Exit 0 when everything is fresh, 1 otherwise.

use std::fmt::Write as _;
use std::process::ExitCode;

use serde::Serialize;
use similar::TextDiff;

use crate::cli::{AnswerFormat, OutputArgs, SpecArgs};
use crate::cmd::build::files_under;
use crate::cmd::{exit, load, pretty_json, write_stdout};
use crate::diag::render_human::Style;
use crate::error::Error;

#[derive(Debug, Default, Serialize)]
struct Freshness {
    fresh: bool,
    missing: Vec<String>,
    stale: Vec<Stale>,
    extra: Vec<String>,
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
    let set = match load::load_artifacts(spec, output, style)? {
        Ok(set) => set,
        Err(code) => return Ok(code),
    };
    let out = load::output_dir(spec, output);
    let mut report = Freshness::default();
    for artifact in set.iter() {
        let path = out.join(&artifact.path);
        match std::fs::read(&path) {
            Err(_) => report.missing.push(artifact.path.clone()),
            Ok(bytes) if bytes == artifact.contents.as_bytes() => {}
            Ok(bytes) => {
                let old = String::from_utf8_lossy(&bytes);
                let diff = TextDiff::from_lines(old.as_ref(), artifact.contents.as_str())
                    .unified_diff()
                    .context_radius(3)
                    .header(
                        &format!("a/{}", artifact.path),
                        &format!("b/{}", artifact.path),
                    )
                    .to_string();
                report.stale.push(Stale {
                    path: artifact.path.clone(),
                    diff,
                });
            }
        }
    }
    for path in files_under(&out)? {
        if set.get(&path).is_none() {
            report.extra.push(path);
        }
    }
    report.fresh = report.missing.is_empty() && report.stale.is_empty() && report.extra.is_empty();
    let text = match format {
        AnswerFormat::Json => pretty_json(&report)?,
        AnswerFormat::Human => human(&report, &out.display().to_string(), set.len()),
    };
    write_stdout(&text)?;
    Ok(ExitCode::from(if report.fresh {
        exit::CLEAN
    } else {
        exit::ERRORS
    }))
}

fn human(report: &Freshness, out: &str, total: usize) -> String {
    if report.fresh {
        return format!("{out} is up to date: {total} files\n");
    }
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
        let _ = writeln!(text, "extra:   {out}/{path} (charter does not produce it)");
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
