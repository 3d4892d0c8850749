//! Atomic tree writes for the commands that produce a directory (`build`, `init`):
//! the new tree is written into a hidden sibling of the target and swapped in by
//! rename, so an error or a crash leaves the target as it was. A run killed
//! (SIGKILL) between the two renames of the swap leaves the old tree retired
//! beside the target; the next run puts it back before it starts, and removes
//! the staging directories killed runs left.

use std::path::{Path, PathBuf};

use tempfile::TempDir;

use crate::error::Error;

/// Clears what a killed earlier run left beside `target`: staging directories
/// (`.<name>.charter-new-*`) are removed; a retired tree (`.<name>.charter-old-*`)
/// is put back when the kill came between the two renames of a swap (the target
/// is missing), and removed otherwise. Best effort: what cannot be removed stays.
fn recover(parent: &Path, name: &str, target: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let (new, old) = (
        format!(".{name}.charter-new-"),
        format!(".{name}.charter-old-"),
    );
    for entry in entries.filter_map(Result::ok) {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if !is_dir {
            continue;
        }
        if file_name.starts_with(&old) {
            let retired = entry.path().join("old");
            if !target.exists() && retired.is_dir() {
                let _ = std::fs::rename(&retired, target);
            }
            let _ = std::fs::remove_dir_all(entry.path());
        } else if file_name.starts_with(&new) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// A tree being written beside its target.
pub(crate) struct Staged {
    dir: TempDir,
    target: PathBuf,
    parent: PathBuf,
    name: String,
}

impl Staged {
    /// An empty staging directory next to `target` (its parent is created).
    pub(crate) fn beside(target: &Path) -> Result<Self, Error> {
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        std::fs::create_dir_all(&parent).map_err(|source| Error::Write {
            path: parent.clone(),
            source,
        })?;
        let name = target
            .file_name()
            .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
        recover(&parent, &name, target);
        let dir = tempfile::Builder::new()
            .prefix(&format!(".{name}.charter-new-"))
            .tempdir_in(&parent)
            .map_err(|source| Error::Write {
                path: parent.clone(),
                source,
            })?;
        Ok(Self {
            dir,
            target: target.to_path_buf(),
            parent,
            name,
        })
    }

    /// Where `relative` (with `/`) goes in the new tree, its folder created.
    fn place(&self, relative: &str) -> Result<PathBuf, Error> {
        let path = self.dir.path().join(relative);
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder).map_err(|source| Error::Write {
                path: folder.to_path_buf(),
                source,
            })?;
        }
        Ok(path)
    }

    /// Writes one file of the new tree (`relative` uses `/`).
    pub(crate) fn write(&self, relative: &str, bytes: &[u8]) -> Result<(), Error> {
        let path = self.place(relative)?;
        std::fs::write(&path, bytes).map_err(|source| Error::Write { path, source })
    }

    /// Copies a file of the old tree into the new one as it is: a symlink stays a
    /// symlink (to the same target, which is not read), a file keeps its mode bits.
    pub(crate) fn carry(&self, relative: &str, from: &Path) -> Result<(), Error> {
        let path = self.place(relative)?;
        let read_error = |source| Error::Read {
            path: from.to_path_buf(),
            source,
        };
        let meta = std::fs::symlink_metadata(from).map_err(read_error)?;
        if meta.file_type().is_symlink() {
            let target = std::fs::read_link(from).map_err(read_error)?;
            return link(&target, &path);
        }
        // `fs::copy` copies the permission bits too.
        std::fs::copy(from, &path)
            .map(|_| ())
            .map_err(|source| Error::Write { path, source })
    }

    /// Replaces the target with the new tree. If the second rename fails, the old
    /// tree is put back: the target is never left half-swapped.
    pub(crate) fn swap_in(self) -> Result<(), Error> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ =
                std::fs::set_permissions(self.dir.path(), std::fs::Permissions::from_mode(0o755));
        }
        let write_error = |source| Error::Write {
            path: self.target.clone(),
            source,
        };
        if !self.target.exists() {
            std::fs::rename(self.dir.path(), &self.target).map_err(write_error)?;
            let _ = self.dir.keep();
            return Ok(());
        }
        let retired = tempfile::Builder::new()
            .prefix(&format!(".{}.charter-old-", self.name))
            .tempdir_in(&self.parent)
            .map_err(|source| Error::Write {
                path: self.parent.clone(),
                source,
            })?;
        let old = retired.path().join("old");
        std::fs::rename(&self.target, &old).map_err(write_error)?;
        if let Err(source) = std::fs::rename(self.dir.path(), &self.target) {
            let _ = std::fs::rename(&old, &self.target);
            return Err(write_error(source));
        }
        let _ = self.dir.keep();
        // Dropping `retired` deletes the old tree.
        Ok(())
    }
}

#[cfg(unix)]
fn link(target: &Path, path: &Path) -> Result<(), Error> {
    std::os::unix::fs::symlink(target, path).map_err(|source| Error::Write {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(not(unix))]
fn link(target: &Path, path: &Path) -> Result<(), Error> {
    // Without unix symlinks, the file the link points at is copied.
    std::fs::copy(target, path)
        .map(|_| ())
        .map_err(|source| Error::Write {
            path: path.to_path_buf(),
            source,
        })
}
