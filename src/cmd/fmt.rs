//! (being written)
use crate::error::Error;
use std::path::Path;
use std::process::ExitCode;
pub fn run(_spec: &Path, _check: bool) -> Result<ExitCode, Error> {
    todo!("fmt")
}
