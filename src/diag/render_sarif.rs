//! Renders findings as SARIF 2.1.0 for GitHub code scanning: one run, the tool's
//! rules (every code, with its summary, help text and a help URI into
//! docs/codes.md) and one result per finding with a physical location. Messages are
//! objects with `text` (GitHub rejects bare strings).

use serde_json::{Value, json};

use crate::diag::code::{Code, Level};
use crate::diag::finding::{Finding, Severity};
use crate::source::Sources;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// Where the rules' help lives (`docs/codes.md` in the repository).
const DOCS: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/docs/codes.md");

fn region(sources: &Sources, span: crate::source::Span) -> Value {
    let file = sources.get(span.file);
    let start = file.line_col(span.start);
    let end = file.line_col(span.end);
    json!({
        "startLine": start.line,
        "startColumn": start.column,
        "endLine": end.line,
        "endColumn": end.column.max(start.column + usize::from(end.line == start.line && end.column == start.column)),
        "charOffset": span.start,
        "charLength": span.len(),
    })
}

fn location(
    sources: &Sources,
    span: crate::source::Span,
    root: &str,
    message: Option<&str>,
) -> Value {
    let path = &sources.get(span.file).path;
    let uri = if root.is_empty() || root == "." {
        path.clone()
    } else {
        format!("{}/{path}", root.trim_end_matches('/'))
    };
    let mut location = json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri, "uriBaseId": "%SRCROOT%" },
            "region": region(sources, span),
        }
    });
    if let Some(text) = message {
        location["message"] = json!({ "text": text });
    }
    location
}

fn rule(code: Code) -> Value {
    let info = code.info();
    let anchor = info.name.replace('/', "");
    json!({
        "id": info.name,
        "name": info.name,
        "shortDescription": { "text": info.summary },
        "fullDescription": { "text": info.summary },
        "help": { "text": info.explanation, "markdown": info.explanation },
        "helpUri": format!("{DOCS}#{anchor}"),
        "defaultConfiguration": {
            "level": match info.level { Level::Deny => "error", Level::Warn => "warning", Level::Allow => "none" },
        },
    })
}

/// The SARIF log, pretty-printed, with a trailing newline. `root` is the spec
/// directory relative to the repository root, so locations resolve in the repo.
pub fn render(sources: &Sources, findings: &[Finding], root: &str) -> String {
    let rules: Vec<Value> = Code::ALL.iter().map(|c| rule(*c)).collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let rule_index = Code::ALL.iter().position(|c| *c == f.code).unwrap_or(0);
            let mut text = f.message.clone();
            if let Some(help) = &f.help {
                text.push_str("\nhelp: ");
                text.push_str(help);
            }
            let related: Vec<Value> = f
                .related
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    let mut loc = location(sources, l.span, root, Some(&l.text));
                    loc["id"] = json!(i);
                    loc
                })
                .collect();
            let mut result = json!({
                "ruleId": f.code.name(),
                "ruleIndex": rule_index,
                "level": match f.severity { Severity::Error => "error", Severity::Warning => "warning" },
                "message": { "text": text },
                "locations": [location(sources, f.primary.span, root, None)],
            });
            if !related.is_empty() {
                result["relatedLocations"] = Value::Array(related);
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "charter",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": env!("CARGO_PKG_REPOSITORY"),
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}
