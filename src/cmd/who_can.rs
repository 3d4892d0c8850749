//! `charter who-can`: access questions answered from the resolved model, as text or
//! JSON (shapes in docs/commands.md). An unknown model is an answer (no group can
//! use it); an unknown group, environment or feature exits 1 with a suggestion.

use std::process::ExitCode;

use crate::cli::{AnswerFormat, SpecArgs};
use crate::cmd::{exit, load::load_model, pretty_json, write_stdout};
use crate::diag::render_human::Style;
use crate::error::Error;
use crate::query::{self, Answer};

/// The question asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Question {
    Model(String),
    Group(String),
    Feature(String),
}

pub fn run(
    spec: &SpecArgs,
    question: &Question,
    env: Option<&str>,
    format: AnswerFormat,
    style: Style,
) -> Result<ExitCode, Error> {
    let model = match load_model(spec, style)? {
        Ok(model) => model,
        Err(code) => return Ok(code),
    };
    let answer = match question {
        Question::Model(m) => query::model_access(&model, m, env).map(Answer::Model),
        Question::Group(g) => query::group_access(&model, g, env).map(Answer::Group),
        Question::Feature(f) => query::feature_access(&model, f, env).map(Answer::Feature),
    };
    let answer = answer?;
    let text = match format {
        AnswerFormat::Human => query::human::render(&answer),
        AnswerFormat::Json => pretty_json(&answer)?,
    };
    write_stdout(&text)?;
    Ok(ExitCode::from(exit::CLEAN))
}
