//! `charter build --out`: the checks on the output directory made before anything
//! is written. A build replaces that directory as a whole (see `staging`), so it
//! must be a directory of its own: never an existing regular file, the spec's own
//! `charter.kdl`, the spec directory (or one that contains it), or `/`. And what
//! the build carries over from it must be plain files and directories: a FIFO or a
//! device there (or a symlink to one) would make the copy block or read forever.

use std::path::{Path, PathBuf};

use crate::error::Error;

/// The path made absolute and free of `.`, `..` and symlinks as far as it exists
/// (a missing tail is appended as written).
fn resolved(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut existing = absolute.clone();
    let mut tail = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            return tail
                .iter()
                .rev()
                .fold(real, |p, part: &std::ffi::OsString| p.join(part));
        }
        match (existing.file_name(), existing.parent()) {
            (Some(name), Some(parent)) => {
                tail.push(name.to_os_string());
                existing = parent.to_path_buf();
            }
            _ => return absolute,
        }
    }
}

/// Refuses an output directory that a build would destroy something by replacing.
pub(crate) fn check_target(spec_dir: &Path, out: &Path) -> Result<(), Error> {
    let refuse = |reason: &str| {
        Err(Error::UnsafeOutDir {
            path: out.to_path_buf(),
            reason: reason.to_string(),
        })
    };
    let target = resolved(out);
    let spec = resolved(spec_dir);
    if target.parent().is_none() {
        return refuse("it is the file system root");
    }
    if let Ok(meta) = std::fs::symlink_metadata(out)
        && !meta.is_dir()
    {
        if meta.file_type().is_symlink() {
            return refuse("it is a symlink (the build would replace the link, not its target)");
        }
        if target == spec.join("charter.kdl") {
            return refuse("it is the spec's own charter.kdl");
        }
        return refuse("it is an existing file, not a directory");
    }
    if target == spec {
        return refuse("it is the spec directory");
    }
    if spec.starts_with(&target) {
        return refuse("it contains the spec directory");
    }
    Ok(())
}

/// What a directory entry is when it is neither a regular file nor a directory.
fn special(kind: std::fs::FileType) -> Option<&'static str> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return Some("a FIFO");
        }
        if kind.is_socket() {
            return Some("a socket");
        }
        if kind.is_block_device() || kind.is_char_device() {
            return Some("a device");
        }
    }
    (!kind.is_file() && !kind.is_dir() && !kind.is_symlink()).then_some("a special file")
}

/// Refuses an entry of the output directory that cannot be copied as a file: a
/// special file, or a symlink to one (symlinks to files are read through).
pub(crate) fn check_entry(path: &Path, kind: std::fs::FileType) -> Result<(), Error> {
    let what = if kind.is_symlink() {
        match std::fs::metadata(path) {
            Ok(meta) => special(meta.file_type()).map(|_| "a symlink to a special file"),
            // A dangling link: reading it fails with a clear error.
            Err(_) => None,
        }
    } else {
        special(kind)
    };
    match what {
        Some(what) => Err(Error::SpecialFileInOutDir {
            path: path.to_path_buf(),
            what,
        }),
        None => Ok(()),
    }
}
