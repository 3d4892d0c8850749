//! Diff stage, JSON report: one document, schema in `docs/json-output.md`
//! (`version` is bumped on an incompatible change; fields are only ever added).

use serde::Serialize;

use crate::diff::{Change, Diff, FileChange};

/// The version of the document's shape.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    base: &'a str,
    head: &'a str,
    summary: Summary,
    changes: &'a [Change],
    files: &'a [FileChange],
}

#[derive(Serialize)]
struct Summary {
    changes: usize,
    risky: usize,
    files: usize,
    lines_added: usize,
    lines_removed: usize,
    spec_text_changed: bool,
}

pub fn render(diff: &Diff, base: &str, head: &str) -> String {
    let document = Document {
        version: VERSION,
        base,
        head,
        summary: Summary {
            changes: diff.changes.len(),
            risky: diff.risky(),
            files: diff.files.len(),
            lines_added: diff.files.iter().map(|f| f.lines_added).sum(),
            lines_removed: diff.files.iter().map(|f| f.lines_removed).sum(),
            spec_text_changed: diff.spec_text_changed,
        },
        changes: &diff.changes,
        files: &diff.files,
    };
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}
