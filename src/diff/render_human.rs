//! Diff stage, human report: the summary line, the risky changes with their
//! reasons, the other changes grouped by concern, then the files with their counts
//! and unified diffs. Plain text (spec text already escaped by `diff::code`).

use std::fmt::Write as _;

use crate::diff::{Change, Diff, FileChange, FileStatus};

/// The report of `diff`, comparing `base` (a label: the revision or directory) with `head`.
pub fn render(diff: &Diff, base: &str, head: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "charter diff {base} → {head}: {}", summary(diff));
    if !diff.has_changes() {
        if diff.spec_text_changed {
            out.push_str("The spec's text changed, but nothing it means or generates did.\n");
        }
        return out;
    }
    let risky: Vec<&Change> = diff.changes.iter().filter(|c| c.risk.is_some()).collect();
    if !risky.is_empty() {
        out.push_str("\nRisky changes\n");
        for change in risky {
            let _ = writeln!(out, "  ! [{}] {}", change.concern.title(), change.summary);
            let _ = writeln!(out, "      why: {}", change.risk.unwrap_or_default());
        }
    }
    let mut concern = None;
    for change in diff.changes.iter().filter(|c| c.risk.is_none()) {
        if concern != Some(change.concern) {
            if concern.is_none() {
                out.push_str("\nChanges\n");
            }
            concern = Some(change.concern);
            let _ = writeln!(out, "  {}", change.concern.title());
        }
        let _ = writeln!(out, "    - {}", change.summary);
    }
    if !diff.files.is_empty() {
        out.push_str("\nFiles\n");
        for file in &diff.files {
            let _ = writeln!(
                out,
                "  {} {}  +{} -{}",
                letter(file),
                file.path,
                file.lines_added,
                file.lines_removed
            );
        }
        for file in &diff.files {
            out.push('\n');
            out.push_str(&file.diff);
            if file.omitted_lines > 0 {
                let _ = writeln!(out, "… {} more lines", file.omitted_lines);
            }
        }
    }
    out
}

/// `3 changes (1 risky), 4 files (+12 -3)`.
pub fn summary(diff: &Diff) -> String {
    if !diff.has_changes() {
        return "no changes".to_string();
    }
    let added: usize = diff.files.iter().map(|f| f.lines_added).sum();
    let removed: usize = diff.files.iter().map(|f| f.lines_removed).sum();
    format!(
        "{} change{} ({} risky), {} file{} changed (+{added} -{removed})",
        diff.changes.len(),
        if diff.changes.len() == 1 { "" } else { "s" },
        diff.risky(),
        diff.files.len(),
        if diff.files.len() == 1 { "" } else { "s" },
    )
}

fn letter(file: &FileChange) -> char {
    match file.status {
        FileStatus::Added => 'A',
        FileStatus::Removed => 'D',
        FileStatus::Changed => 'M',
    }
}
