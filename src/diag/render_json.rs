//! Renders findings as JSON: one stable, documented schema (`docs/json-output.md`)
//! that the SARIF and annotation renderers reuse. Positions are 1-based line and
//! column (in characters) plus the 0-based byte span.

use serde::Serialize;

use crate::diag::finding::{Finding, Label, Severity, Waived};
use crate::source::Sources;

/// The version of this JSON schema; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    summary: Summary,
    findings: Vec<JsonFinding<'a>>,
    waived: Vec<JsonWaived<'a>>,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    errors: usize,
    warnings: usize,
    waived: usize,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    code: &'static str,
    severity: &'static str,
    message: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    span: ByteSpan,
    labels: Vec<JsonLabel<'a>>,
    help: Option<&'a str>,
    environment: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonWaived<'a> {
    finding: JsonFinding<'a>,
    ticket: &'a str,
    expires: &'a str,
}

#[derive(Serialize)]
struct ByteSpan {
    offset: u32,
    length: usize,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    primary: bool,
    text: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    span: ByteSpan,
}

fn label<'a>(sources: &'a Sources, label: &'a Label, primary: bool) -> JsonLabel<'a> {
    let file = sources.get(label.span.file);
    let at = file.line_col(label.span.start);
    JsonLabel {
        primary,
        text: &label.text,
        file: &file.path,
        line: at.line,
        column: at.column,
        span: ByteSpan {
            offset: label.span.start,
            length: label.span.len(),
        },
    }
}

fn finding<'a>(sources: &'a Sources, f: &'a Finding) -> JsonFinding<'a> {
    let file = sources.get(f.primary.span.file);
    let at = file.line_col(f.primary.span.start);
    JsonFinding {
        code: f.code.name(),
        severity: f.severity.as_str(),
        message: &f.message,
        file: &file.path,
        line: at.line,
        column: at.column,
        span: ByteSpan {
            offset: f.primary.span.start,
            length: f.primary.span.len(),
        },
        labels: std::iter::once(label(sources, &f.primary, true))
            .chain(f.related.iter().map(|l| label(sources, l, false)))
            .collect(),
        help: f.help.as_deref(),
        environment: f.environment.as_deref(),
    }
}

/// The JSON report, pretty-printed, with a trailing newline.
pub fn render(sources: &Sources, findings: &[Finding], waived: &[Waived]) -> String {
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let document = Document {
        version: SCHEMA_VERSION,
        summary: Summary {
            files: sources.len(),
            errors,
            warnings: findings.len() - errors,
            waived: waived.len(),
        },
        findings: findings.iter().map(|f| finding(sources, f)).collect(),
        waived: waived
            .iter()
            .map(|w| JsonWaived {
                finding: finding(sources, &w.finding),
                ticket: &w.ticket,
                expires: &w.expires,
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&document)
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}
