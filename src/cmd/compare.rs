//! The one comparison of an artifact set with an output directory, shared by
//! `build` (what to write, prune and keep) and `check` (what to report). Every file
//! in the directory is exactly one of:
//!
//! - **fresh**: charter produces it and it holds exactly those bytes;
//! - **stale**: charter produces it and it holds something else;
//! - **missing**: charter produces it and it is not there;
//! - **removed**: an earlier build produced it (its `manifest.json` lists it) and
//!   this one does not: `build` prunes it, so `check` reports it;
//! - **foreign**: charter never produced it (a `README.md`, a `.gitkeep`): it is the
//!   user's, `build` carries it over untouched (file mode and symlinks kept) and
//!   `check` names it without failing.
//!
//! So a `check` right after a `build` is always clean. The directory is walked once
//! with `walkdir`, without following symlinks; a FIFO, socket or device (or a
//! symlink to one) is refused before anything is read.

use std::collections::BTreeSet;
use std::path::Path;

use crate::emit::Artifact;
use crate::error::Error;

/// How an output directory differs from an artifact set. Paths are relative, with
/// `/`, sorted.
#[derive(Debug, Default)]
pub(crate) struct Comparison {
    pub stale: Vec<String>,
    pub missing: Vec<String>,
    pub removed: Vec<String>,
    pub foreign: Vec<String>,
}

impl Comparison {
    /// Whether a build would change nothing charter owns.
    pub fn up_to_date(&self) -> bool {
        self.stale.is_empty() && self.missing.is_empty() && self.removed.is_empty()
    }
}

/// The comparison of one output directory with artifacts as they pass, one at a
/// time (`see`), so the artifact set never has to be held whole.
pub(crate) struct Comparer<'d> {
    dir: &'d Path,
    on_disk: BTreeSet<String>,
    seen: BTreeSet<String>,
    comparison: Comparison,
}

/// What one artifact is to the directory; a stale one carries the bytes there.
pub(crate) enum Seen {
    Fresh,
    Missing,
    Stale(Vec<u8>),
}

impl<'d> Comparer<'d> {
    /// Walks `dir` (which need not exist) once.
    pub(crate) fn new(dir: &'d Path) -> Result<Self, Error> {
        Ok(Self {
            dir,
            on_disk: files_under(dir)?,
            seen: BTreeSet::new(),
            comparison: Comparison::default(),
        })
    }

    /// Compares one artifact with its file.
    pub(crate) fn see(&mut self, artifact: &Artifact) -> Result<Seen, Error> {
        self.seen.insert(artifact.path.clone());
        if !self.on_disk.contains(&artifact.path) {
            self.comparison.missing.push(artifact.path.clone());
            return Ok(Seen::Missing);
        }
        let path = self.dir.join(&artifact.path);
        let bytes = std::fs::read(&path).map_err(|source| Error::Read { path, source })?;
        if bytes == artifact.contents.as_bytes() {
            Ok(Seen::Fresh)
        } else {
            self.comparison.stale.push(artifact.path.clone());
            Ok(Seen::Stale(bytes))
        }
    }

    /// The comparison, once every artifact has been seen: what else is in the
    /// directory is an earlier build's (removed) or the user's (foreign).
    pub(crate) fn finish(self) -> Comparison {
        let ours = previously_generated(self.dir);
        let mut out = self.comparison;
        for path in self.on_disk {
            if self.seen.contains(&path) {
                continue;
            }
            if ours.contains(&path) {
                out.removed.push(path);
            } else {
                out.foreign.push(path);
            }
        }
        out.missing.sort();
        out.stale.sort();
        out
    }
}

/// The paths a previous build recorded in `dir/manifest.json` (its own included);
/// none when there is no readable manifest written by charter.
fn previously_generated(dir: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(dir.join(crate::emit::manifest::PATH))
        .ok()
        .and_then(|text| crate::emit::manifest::listed_paths(&text))
        .unwrap_or_default()
}

/// Every file (and symlink) under `dir`, as paths relative to it with `/`. Symlinks
/// are not followed: a link is one entry, whatever it points at.
pub(crate) fn files_under(dir: &Path) -> Result<BTreeSet<String>, Error> {
    let mut out = BTreeSet::new();
    if !dir.is_dir() {
        return Ok(out);
    }
    for entry in walkdir::WalkDir::new(dir).min_depth(1).follow_links(false) {
        let entry = entry.map_err(|e| walk_error(dir, e))?;
        let kind = entry.file_type();
        crate::cmd::out_dir::check_entry(entry.path(), kind)?;
        if kind.is_dir() {
            continue;
        }
        out.insert(relative(dir, entry.path()));
    }
    Ok(out)
}

/// `path` below `dir`, with `/` between its parts.
pub(crate) fn relative(dir: &Path, path: &Path) -> String {
    path.strip_prefix(dir)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// A directory walk that failed, as the read error it is (a symlink loop when
/// links are followed).
pub(crate) fn walk_error(dir: &Path, error: walkdir::Error) -> Error {
    if error.loop_ancestor().is_some() {
        return Error::FolderLoop {
            path: error.path().unwrap_or(dir).to_path_buf(),
        };
    }
    let path = error.path().unwrap_or(dir).to_path_buf();
    let source = error
        .into_io_error()
        .unwrap_or_else(|| std::io::Error::other("directory walk failed"));
    Error::Read { path, source }
}
