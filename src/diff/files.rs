//! Diff stage, files: two in-memory artifact sets → the files added, removed and
//! changed, each with a unified diff (`similar`) and its line counts, capped at
//! [`MAX_LINES`] lines ("N more lines"). `manifest.json` is compared with its hash
//! values elided: they follow the files listed beside it, and a spec edit that
//! changes no meaning changes only the spec digest.

use serde::Serialize;
use similar::{ChangeTag, TextDiff};

use crate::emit::ArtifactSet;

/// The most diff lines kept for one file.
pub const MAX_LINES: usize = 200;

/// The manifest's path in the artifact set.
const MANIFEST: &str = "manifest.json";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileStatus {
    Added,
    Removed,
    Changed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileChange {
    pub path: String,
    pub status: FileStatus,
    pub lines_added: usize,
    pub lines_removed: usize,
    /// The unified diff (`--- a/path`, `+++ b/path`, hunks), at most [`MAX_LINES`] lines.
    pub diff: String,
    /// Diff lines left out of `diff`.
    pub omitted_lines: usize,
}

/// What is taken out of both sides' texts before they are compared.
pub struct Normalize<'a> {
    /// The spec digests of the base and the head: every file that records one (the
    /// manifest, policy.md) would otherwise change with any edit of the spec's text.
    pub digests: [&'a str; 2],
    /// Values no report may show; each becomes `«redacted»`.
    pub hidden: &'a [String],
}

impl Normalize<'_> {
    fn apply(&self, path: &str, text: &str) -> String {
        let mut text = if path == MANIFEST {
            elide_hashes(text)
        } else {
            text.to_string()
        };
        for digest in self.digests.iter().filter(|d| !d.is_empty()) {
            if text.contains(digest) {
                text = text.replace(digest, "«spec digest»");
            }
        }
        for value in self.hidden {
            if text.contains(value.as_str()) {
                text = text.replace(value.as_str(), "«redacted»");
            }
        }
        text
    }
}

/// The changed files, by path, and whether the spec's text changed (its digest).
pub fn compare(
    normalize: &Normalize<'_>,
    base: &ArtifactSet,
    head: &ArtifactSet,
) -> (Vec<FileChange>, bool) {
    let mut files = Vec::new();
    let spec_text_changed = normalize.digests[0] != normalize.digests[1];
    for artifact in head.iter() {
        let new = normalize.apply(&artifact.path, &artifact.contents);
        let old = match base.get(&artifact.path) {
            Some(old) if old.contents == artifact.contents => continue,
            Some(old) => normalize.apply(&old.path, &old.contents),
            None => String::new(),
        };
        if old == new && base.get(&artifact.path).is_some() {
            continue;
        }
        let status = if base.get(&artifact.path).is_some() {
            FileStatus::Changed
        } else {
            FileStatus::Added
        };
        files.push(change(&artifact.path, status, &old, &new));
    }
    for artifact in base.iter() {
        if head.get(&artifact.path).is_none() {
            let old = normalize.apply(&artifact.path, &artifact.contents);
            files.push(change(&artifact.path, FileStatus::Removed, &old, ""));
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    (files, spec_text_changed)
}

fn change(path: &str, status: FileStatus, old: &str, new: &str) -> FileChange {
    let diff = TextDiff::from_lines(old, new);
    let (mut added, mut removed) = (0, 0);
    for op in diff.iter_all_changes() {
        match op.tag() {
            ChangeTag::Insert => added += 1,
            ChangeTag::Delete => removed += 1,
            ChangeTag::Equal => {}
        }
    }
    let (a, b) = match status {
        FileStatus::Added => ("/dev/null".to_string(), format!("b/{path}")),
        FileStatus::Removed => (format!("a/{path}"), "/dev/null".to_string()),
        FileStatus::Changed => (format!("a/{path}"), format!("b/{path}")),
    };
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(&a, &b)
        .to_string();
    let (diff, omitted_lines) = cap(&text, MAX_LINES);
    FileChange {
        path: path.to_string(),
        status,
        lines_added: added,
        lines_removed: removed,
        diff,
        omitted_lines,
    }
}

/// The first `max` lines of `text`, and how many were left out.
pub fn cap(text: &str, max: usize) -> (String, usize) {
    let total = text.lines().count();
    if total <= max {
        return (text.to_string(), 0);
    }
    let mut kept = String::new();
    for line in text.lines().take(max) {
        kept.push_str(line);
        kept.push('\n');
    }
    (kept, total - max)
}

/// The manifest with every `"sha256"` and `"spec_digest"` value replaced by `…`.
fn elide_hashes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("\"sha256\":") || trimmed.starts_with("\"spec_digest\":") {
            let (key, _) = line.split_once(':').unwrap_or((line, ""));
            let comma = if line.ends_with(',') { "," } else { "" };
            out.push_str(key);
            out.push_str(": \"…\"");
            out.push_str(comma);
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::Artifact;

    const NONE: Normalize<'static> = Normalize {
        digests: ["", ""],
        hidden: &[],
    };

    #[test]
    fn hidden_values_and_digests_are_not_compared() {
        let base = set(&[("a.txt", "key: old-secret\ndigest d1\n")]);
        let head = set(&[("a.txt", "key: new-secret\ndigest d2\n")]);
        let hidden = ["old-secret".to_string(), "new-secret".to_string()];
        let normalize = Normalize {
            digests: ["d1", "d2"],
            hidden: &hidden,
        };
        let (files, text_changed) = compare(&normalize, &base, &head);
        assert!(files.is_empty() && text_changed, "{files:?}");
    }

    fn set(files: &[(&str, &str)]) -> ArtifactSet {
        let mut set = ArtifactSet::default();
        for (path, text) in files {
            set.insert(Artifact::new(*path, *text)).expect("unique");
        }
        set
    }

    #[test]
    fn added_removed_changed_with_counts() {
        let base = set(&[("a.txt", "1\n2\n"), ("gone.txt", "x\n")]);
        let head = set(&[("a.txt", "1\n3\n"), ("new.txt", "y\n")]);
        let (files, _) = compare(&NONE, &base, &head);
        let shown: Vec<_> = files
            .iter()
            .map(|f| (f.path.as_str(), f.status, f.lines_added, f.lines_removed))
            .collect();
        assert_eq!(
            shown,
            [
                ("a.txt", FileStatus::Changed, 1, 1),
                ("gone.txt", FileStatus::Removed, 0, 1),
                ("new.txt", FileStatus::Added, 1, 0)
            ]
        );
        assert!(files[0].diff.contains("-2\n+3\n"), "{}", files[0].diff);
    }

    #[test]
    fn a_digest_only_manifest_change_is_no_file_change() {
        let base = set(&[(
            MANIFEST,
            "{\n  \"spec_digest\": \"aa\",\n  \"files\": []\n}\n",
        )]);
        let head = set(&[(
            MANIFEST,
            "{\n  \"spec_digest\": \"bb\",\n  \"files\": []\n}\n",
        )]);
        let normalize = Normalize {
            digests: ["aa", "bb"],
            hidden: &[],
        };
        let (files, text_changed) = compare(&normalize, &base, &head);
        assert!(files.is_empty() && text_changed);
    }

    #[test]
    fn caps_long_diffs() {
        let (kept, omitted) = cap("a\nb\nc\n", 2);
        assert_eq!((kept.as_str(), omitted), ("a\nb\n", 1));
    }
}
