//! (being written)
use crate::cli::{GraphFormat, SpecArgs};
use crate::error::Error;
use std::process::ExitCode;
pub fn run(_spec: &SpecArgs, _format: GraphFormat) -> Result<ExitCode, Error> {
    todo!("graph")
}
