//! Renders findings as SARIF 2.1.0 for GitHub code scanning: one run, the tool's
//! rules (every code, with its summary, help text and a help URI into
//! docs/codes.md) and one result per finding with a physical location. Messages are
//! objects with `text` (GitHub rejects bare strings).

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::diag::code::{Code, Level};
use crate::diag::finding::{Finding, Severity};
use crate::source::{LineCol, Sources};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// Where the rules' help lives (`docs/codes.md` in the repository).
const DOCS: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/docs/codes.md");

/// The region of a span, in the run's `columnKind` (Unicode code points): 1-based
/// lines and columns, and `charOffset`/`charLength` counted in characters, not bytes.
/// An empty span (a finding about a position, like the start of a file) is widened
/// to one character, so that `endColumn > startColumn` as GitHub expects and the
/// region stays consistent with its `charLength`.
fn region(sources: &Sources, span: crate::source::Span) -> Value {
    let file = sources.get(span.file);
    let start = file.line_col(span.start);
    let mut end = file.line_col(span.end);
    let char_offset = char_count(&file.text, span.start);
    let mut char_length = char_count(&file.text, span.end) - char_offset;
    if char_length == 0 {
        end = LineCol {
            line: start.line,
            column: start.column + 1,
        };
        char_length = 1;
    }
    json!({
        "startLine": start.line,
        "startColumn": start.column,
        "endLine": end.line,
        "endColumn": end.column,
        "charOffset": char_offset,
        "charLength": char_length,
    })
}

/// Characters before a byte offset (clamped to the text, snapped to a char boundary,
/// as [`SourceFile::line_col`](crate::source::SourceFile::line_col) does).
fn char_count(text: &str, offset: u32) -> usize {
    let mut offset = (offset as usize).min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    text[..offset].chars().count()
}

/// A relative path as a URI reference: every byte but unreserved characters and `/`
/// percent-encoded (a space or `#` in a directory name would otherwise make the URI
/// invalid or cut it short).
fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// A rule's friendly name: a Pascal-case identifier made from its id
/// (`syntax/invalid-kdl` is `SyntaxInvalidKdl`). SARIF wants `name` to differ from
/// the opaque `id` (Multitool rule SARIF1001) and be Pascal case (SARIF2012).
fn friendly_name(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

fn location(
    sources: &Sources,
    span: crate::source::Span,
    root: &str,
    message: Option<&str>,
) -> Value {
    let path = &sources.get(span.file).path;
    let uri = uri_path(&if root.is_empty() || root == "." {
        path.clone()
    } else {
        format!("{}/{path}", root.trim_end_matches('/'))
    });
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
        "name": friendly_name(info.name),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn friendly_names_are_pascal_case() {
        assert_eq!(friendly_name("syntax/invalid-kdl"), "SyntaxInvalidKdl");
        assert_eq!(friendly_name("syntax/kdl-v1"), "SyntaxKdlV1");
    }

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(uri_path("my spec/a#b.kdl"), "my%20spec/a%23b.kdl");
        assert_eq!(uri_path("é/x.kdl"), "%C3%A9/x.kdl");
        assert_eq!(
            uri_path("tests/fixtures/a_b-c/charter.kdl"),
            "tests/fixtures/a_b-c/charter.kdl"
        );
    }

    #[test]
    fn regions_count_characters_and_are_never_empty() {
        let mut sources = Sources::new();
        let file = sources.add("charter.kdl", "é = \"ü\"\nx");
        // `"ü"` starts at byte 5 (character 4) and is 4 bytes (3 characters) long.
        let span = crate::source::Span::new(file, 5, 4);
        let value = region(&sources, span);
        assert_eq!(value["startColumn"], 5);
        assert_eq!(value["endColumn"], 8);
        assert_eq!(value["charOffset"], 4);
        assert_eq!(value["charLength"], 3);
        let empty = region(&sources, crate::source::Span::file_start(file));
        assert_eq!(empty["startLine"], 1);
        assert_eq!(empty["startColumn"], 1);
        assert_eq!(empty["endLine"], 1);
        assert_eq!(empty["endColumn"], 2);
        assert_eq!(empty["charLength"], 1);
    }
}
