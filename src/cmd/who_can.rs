//! (being written)
use crate::cli::{AnswerFormat, SpecArgs};
use crate::error::Error;
use std::process::ExitCode;
/// The question asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Question {
    Model(String),
    Group(String),
    Feature(String),
}
pub fn run(
    _spec: &SpecArgs,
    _question: &Question,
    _env: Option<&str>,
    _format: AnswerFormat,
) -> Result<ExitCode, Error> {
    todo!("who-can")
}
