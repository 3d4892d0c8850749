//! `charter build`: compile the spec into the artifact set and write it to the
//! output directory atomically: the new tree is written beside the old one and
//! swapped in by rename. Files charter produced before and no longer does are
//! pruned; files charter never produced are carried over untouched. An invalid
//! spec, a schema failure or a crash leaves the old output as it was.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::ExitCode;

use crate::cli::{OutputArgs, SpecArgs};
use crate::cmd::staging::Staged;
use crate::cmd::{exit, load, write_stdout};
use crate::diag::render_human::Style;
use crate::emit::ArtifactSet;
use crate::error::Error;

pub fn run(spec: &SpecArgs, output: &OutputArgs, style: Style) -> Result<ExitCode, Error> {
    let set = match load::load_artifacts(spec, output, style)? {
        Ok(set) => set,
        Err(code) => return Ok(code),
    };
    let out = load::output_dir(spec, output);
    crate::cmd::out_dir::check_target(&spec.spec, &out)?;
    let report = write_atomically(&out, &set)?;
    write_stdout(&format!(
        "wrote {} files to {} ({} changed, {} removed)\n",
        set.len(),
        out.display(),
        report.changed,
        report.removed
    ))?;
    Ok(ExitCode::from(exit::CLEAN))
}

#[derive(Debug, Default)]
struct WriteReport {
    changed: usize,
    removed: usize,
}

/// The paths a previous build recorded in `manifest.json` (its own included).
pub(crate) fn previously_generated(out: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(out.join(crate::emit::manifest::PATH))
        .ok()
        .and_then(|text| crate::emit::manifest::listed_paths(&text))
        .unwrap_or_default()
}

/// Every file under `dir`, as paths relative to it with `/`.
pub(crate) fn files_under(dir: &Path) -> Result<BTreeSet<String>, Error> {
    let mut out = BTreeSet::new();
    if dir.is_dir() {
        collect(dir, "", &mut out)?;
    }
    Ok(out)
}

fn collect(dir: &Path, prefix: &str, out: &mut BTreeSet<String>) -> Result<(), Error> {
    let entries = std::fs::read_dir(dir).map_err(|source| Error::Read {
        path: dir.to_path_buf(),
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| Error::Read {
            path: dir.to_path_buf(),
            source,
        })?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let relative = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let kind = entry.file_type().map_err(|source| Error::Read {
            path: entry.path(),
            source,
        })?;
        crate::cmd::out_dir::check_entry(&entry.path(), kind)?;
        if kind.is_dir() {
            collect(&entry.path(), &relative, out)?;
        } else {
            out.insert(relative);
        }
    }
    Ok(())
}

fn write_atomically(out: &Path, set: &ArtifactSet) -> Result<WriteReport, Error> {
    let staged = Staged::beside(out)?;
    let mut report = WriteReport::default();
    for artifact in set.iter() {
        staged.write(&artifact.path, artifact.contents.as_bytes())?;
        let old = std::fs::read(out.join(&artifact.path)).ok();
        if old.as_deref() != Some(artifact.contents.as_bytes()) {
            report.changed += 1;
        }
    }
    // Carry over what charter never produced; prune what it produced before.
    let ours = previously_generated(out);
    for path in files_under(out)? {
        if set.get(&path).is_some() {
            continue;
        }
        if ours.contains(&path) {
            report.removed += 1;
            continue;
        }
        let bytes = std::fs::read(out.join(&path)).map_err(|source| Error::Read {
            path: out.join(&path),
            source,
        })?;
        staged.write(&path, &bytes)?;
    }
    staged.swap_in()?;
    Ok(report)
}
