//! (being written)
use crate::cli::SpecArgs;
use crate::error::Error;
use std::process::ExitCode;
pub fn run(_spec: &SpecArgs, _env: &str) -> Result<ExitCode, Error> {
    todo!("charter model")
}
