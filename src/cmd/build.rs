//! `charter build`: compile the spec into the artifact set and write it to the
//! output directory atomically: the new tree is written beside the old one and
//! swapped in by rename. Files charter produced before and no longer does are
//! pruned; files charter never produced are carried over untouched (the policy is
//! `compare`'s, shared with `check`). An invalid spec, a schema failure or a crash
//! leaves the old output as it was.

use std::process::ExitCode;

use crate::cli::{OutputArgs, SpecArgs};
use crate::cmd::compare::Comparer;
use crate::cmd::staging::Staged;
use crate::cmd::{exit, load, timings, write_stdout};
use crate::diag::render_human::Style;
use crate::error::Error;

pub fn run(spec: &SpecArgs, output: &OutputArgs, style: Style) -> Result<ExitCode, Error> {
    let compiled = match load::load_compiled(spec, style)? {
        Ok(compiled) => compiled,
        Err(code) => return Ok(code), // the spec has errors: nothing is written
    };
    let out = load::output_dir(spec, output);
    crate::cmd::out_dir::check_target(&spec.spec, &out)?;
    // Staging first: it puts back a tree a killed build left retired.
    let staged = Staged::beside(&out)?;
    let mut comparer = Comparer::new(&out)?;
    let mut written = 0usize;
    // Each artifact is compared, written into the staging directory and dropped as
    // it comes: the whole set is never held in memory.
    load::emit_checked(&compiled, spec, output, |artifact| {
        timings::time("write", || {
            comparer.see(&artifact)?;
            staged.write(&artifact.path, artifact.contents.as_bytes())?;
            written += 1;
            Ok(())
        })
    })?;
    let report = comparer.finish();
    timings::time("write", || -> Result<(), Error> {
        // Carry over what charter never produced; what it produced before and no
        // longer does is left behind, so it is pruned.
        for path in &report.foreign {
            staged.carry(path, &out.join(path))?;
        }
        staged.swap_in()
    })?;
    let kept = match report.foreign.len() {
        0 => String::new(),
        1 => ", 1 file of yours kept".to_string(),
        n => format!(", {n} files of yours kept"),
    };
    write_stdout(&format!(
        "wrote {written} files to {} ({} changed, {} removed{kept})\n",
        out.display(),
        report.stale.len() + report.missing.len(),
        report.removed.len()
    ))?;
    Ok(ExitCode::from(exit::CLEAN))
}
