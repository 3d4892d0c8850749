//! Diff stage, Markdown report: a pull-request comment. A hidden marker (so a
//! workflow finds and updates its one comment), the summary line, the risky
//! changes, the other changes by concern, the file list, then each file's diff in a
//! collapsible `<details>` block; kept under GitHub's 65,536-character limit, with a
//! note saying what was left out.

use std::fmt::Write as _;

use crate::diff::render_human::summary;
use crate::diff::{Diff, FileStatus};

/// The first line of every comment: how the workflow finds the one to update.
pub const MARKER: &str = "<!-- charter-diff -->";

/// GitHub refuses a comment longer than 65,536 characters; stay well below.
pub const LIMIT: usize = 60_000;

pub fn render(diff: &Diff, base: &str, head: &str) -> String {
    render_within(diff, base, head, LIMIT)
}

/// [`render`] with another cap (in bytes, which are at least the characters).
pub fn render_within(diff: &Diff, base: &str, head: &str, limit: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{MARKER}\n### charter diff\n");
    let _ = writeln!(
        out,
        "{} → {}: **{}**",
        crate::diff::code(base),
        crate::diff::code(head),
        summary(diff)
    );
    if !diff.has_changes() && diff.spec_text_changed {
        out.push_str("\nThe spec's text changed, but nothing it means or generates did.\n");
    }
    let note_room = 400;
    let mut truncated = 0usize;
    let push = |out: &mut String, line: String, truncated: &mut usize| {
        if out.len() + line.len() + note_room > limit {
            *truncated += 1;
        } else {
            out.push_str(&line);
        }
    };
    let risky: Vec<_> = diff.changes.iter().filter(|c| c.risk.is_some()).collect();
    if !risky.is_empty() {
        out.push_str("\n#### ⚠️ Risky changes\n\n");
        for c in risky {
            let line = format!(
                "- **{}**: {}  \n  _{}_\n",
                c.concern.title(),
                c.summary,
                c.risk.unwrap_or_default()
            );
            push(&mut out, line, &mut truncated);
        }
    }
    let mut concern = None;
    for c in diff.changes.iter().filter(|c| c.risk.is_none()) {
        if concern != Some(c.concern) {
            if concern.is_none() {
                out.push_str("\n#### Changes\n");
            }
            concern = Some(c.concern);
            push(
                &mut out,
                format!("\n**{}**\n\n", c.concern.title()),
                &mut truncated,
            );
        }
        push(&mut out, format!("- {}\n", c.summary), &mut truncated);
    }
    if !diff.files.is_empty() {
        out.push_str("\n#### Files\n\n| file | status | lines |\n|---|---|---|\n");
        for f in &diff.files {
            let status = match f.status {
                FileStatus::Added => "added",
                FileStatus::Removed => "removed",
                FileStatus::Changed => "changed",
            };
            let line = format!(
                "| {} | {status} | +{} −{} |\n",
                crate::diff::code(&f.path).replace('|', "%7C"),
                f.lines_added,
                f.lines_removed
            );
            push(&mut out, line, &mut truncated);
        }
        out.push('\n');
        let mut files_left_out = 0usize;
        for f in &diff.files {
            let fence = fence(&f.diff);
            let mut block = format!(
                "<details><summary><code>{}</code> +{} −{}</summary>\n\n{fence}diff\n{}",
                html(&f.path),
                f.lines_added,
                f.lines_removed,
                f.diff
            );
            if !block.ends_with('\n') {
                block.push('\n');
            }
            let _ = writeln!(block, "{fence}");
            if f.omitted_lines > 0 {
                let _ = writeln!(block, "\n… {} more lines", f.omitted_lines);
            }
            block.push_str("\n</details>\n");
            if out.len() + block.len() + note_room > limit {
                files_left_out += 1;
            } else {
                out.push_str(&block);
            }
        }
        if files_left_out > 0 {
            let _ = writeln!(
                out,
                "\n_The diffs of {files_left_out} file(s) are left out to keep this comment under GitHub's 65,536-character limit; run `charter diff` locally for all of it._"
            );
        }
    }
    if truncated > 0 {
        let _ = writeln!(
            out,
            "\n_This comment is truncated: {truncated} more line(s) of changes are left out to stay under GitHub's 65,536-character limit; run `charter diff` locally for all of it._"
        );
    }
    out
}

/// A code fence longer than any run of backticks in `text`.
fn fence(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    "`".repeat((longest + 1).max(3))
}

fn html(text: &str) -> String {
    crate::escape::visible(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
