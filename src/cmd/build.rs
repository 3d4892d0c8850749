//! `charter build`: compile the spec into the artifact set and write it to the
//! output directory atomically: the new tree is written beside the old one and
//! swapped in by rename. Files charter produced before and no longer does are
//! pruned; files charter never produced are carried over untouched (the policy is
//! `compare`'s, shared with `check`). An invalid spec, a schema failure or a crash
//! leaves the old output as it was.

use std::path::Path;
use std::process::ExitCode;

use crate::cli::{OutputArgs, SpecArgs};
use crate::cmd::compare::{self, Comparison};
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
    let kept = match report.foreign.len() {
        0 => String::new(),
        1 => ", 1 file of yours kept".to_string(),
        n => format!(", {n} files of yours kept"),
    };
    write_stdout(&format!(
        "wrote {} files to {} ({} changed, {} removed{kept})\n",
        set.len(),
        out.display(),
        report.stale.len() + report.missing.len(),
        report.removed.len()
    ))?;
    Ok(ExitCode::from(exit::CLEAN))
}

/// Writes the new tree beside `out` and swaps it in: every artifact, plus the files
/// charter does not own carried over as they are (see `compare`); what an earlier
/// build produced and this one does not is left behind, so it is pruned.
fn write_atomically(out: &Path, set: &ArtifactSet) -> Result<Comparison, Error> {
    // Staging first: it puts back a tree a killed build left retired.
    let staged = Staged::beside(out)?;
    let comparison = compare::compare(set, out)?;
    for artifact in set.iter() {
        staged.write(&artifact.path, artifact.contents.as_bytes())?;
    }
    for path in &comparison.foreign {
        staged.carry(path, &out.join(path))?;
    }
    staged.swap_in()?;
    Ok(comparison)
}
