//! `charter drift ssm`: the spec's secrets against the live secret stores, through
//! the AWS SDK (metadata only). Exit 0 no drift, 2 drift, 1 error.

use std::fmt::Write as _;
use std::process::ExitCode;

use crate::cli::{Format, SpecArgs};
use crate::cmd::{exit, load::load_compiled, write_stdout};
use crate::diag::finding::{Finding, Findings, Severity};
use crate::diag::{render_github, render_human, render_json, render_sarif};
use crate::drift::aws::AwsStore;
use crate::drift::ssm::{self, Coverage};
use crate::drift::store::MetadataSource;
use crate::error::Error;
use crate::query;
use crate::source::Sources;

pub fn ssm(
    spec: &SpecArgs,
    env: &str,
    endpoint_url: Option<&str>,
    format: Format,
    style: render_human::Style,
) -> Result<ExitCode, Error> {
    let compiled = match load_compiled(spec, style)? {
        Ok(compiled) => compiled,
        Err(code) => return Ok(code),
    };
    let model = &compiled.model;
    let Some(environment) = model.environments.get(env) else {
        return Err(query::unknown_environment(model, env).into());
    };
    let store = AwsStore::connect(endpoint_url)?;
    let listing = store.listing(&environment.secret_prefix)?;
    // `--today` judges rotation as of the start of that day (UTC).
    let now = match spec.today {
        Some(day) => day
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map_or_else(|_| jiff::Timestamp::now(), |z| z.timestamp()),
        None => jiff::Timestamp::now(),
    };
    let (found, coverage) = ssm::compare(model, environment, &listing, now);
    let mut sink = Findings::new();
    sink.extend(found);
    let findings = sink.into_sorted();
    let text = render(
        &compiled.sources,
        &findings,
        &coverage,
        env,
        format,
        style,
        &spec.spec,
    );
    write_stdout(&text)?;
    Ok(ExitCode::from(if findings.is_empty() {
        exit::CLEAN
    } else {
        exit::CHANGES
    }))
}

fn render(
    sources: &Sources,
    findings: &[Finding],
    coverage: &Coverage,
    env: &str,
    format: Format,
    style: render_human::Style,
    spec_dir: &std::path::Path,
) -> String {
    // SARIF and annotations name files from the repository root: a relative --spec
    // is that prefix; for an absolute one, paths stay relative to the spec.
    let root = if spec_dir.is_absolute() {
        String::new()
    } else {
        spec_dir.to_string_lossy().replace('\\', "/")
    };
    let root = root.trim_start_matches("./");
    match format {
        Format::Human => {
            let mut out = render_human::render_findings(sources, findings, style, 100);
            out.push_str(&summary(findings, coverage, env));
            out
        }
        Format::Json => render_json::render(sources, findings, &[]),
        Format::Sarif => render_sarif::render(sources, findings, root),
        Format::Github => render_github::render(sources, findings, root),
    }
}

/// `drift in environment `prod` (/p/prod/): 2 errors, 1 warning`, then what was
/// listed and compared.
fn summary(findings: &[Finding], coverage: &Coverage, env: &str) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = findings.len() - errors;
    let mut out = if findings.is_empty() {
        format!("no drift in environment `{env}` ({})\n", coverage.prefix)
    } else {
        format!(
            "drift in environment `{env}` ({}): {}, {}\n",
            coverage.prefix,
            plural(errors, "error"),
            plural(warnings, "warning")
        )
    };
    let _ = writeln!(
        out,
        "  listed {} and {} under the prefix; compared {} kept in SSM and {} in Secrets Manager (metadata only: no value was read)",
        plural(coverage.parameters_listed, "parameter"),
        plural(coverage.secrets_listed, "secret"),
        plural(coverage.ssm_declared, "declared secret"),
        coverage.secrets_manager_declared,
    );
    for path in &coverage.outside_prefix {
        let _ = writeln!(
            out,
            "  not compared: `{path}` is outside the prefix (secrets/path-outside-prefix)"
        );
    }
    out
}
