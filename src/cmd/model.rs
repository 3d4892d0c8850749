//! `charter model --env E`: the resolved view of one environment as pretty JSON
//! (shape in docs/model.md).

use std::process::ExitCode;

use crate::cli::SpecArgs;
use crate::cmd::{exit, load::load_model, pretty_json, write_stdout};
use crate::diag::render_human::Style;
use crate::error::Error;
use crate::query;

pub fn run(spec: &SpecArgs, env: &str, style: Style) -> Result<ExitCode, Error> {
    let model = match load_model(spec, style)? {
        Ok(model) => model,
        Err(code) => return Ok(code),
    };
    let Some(view) = crate::model::environment_view(&model, env) else {
        return Err(query::unknown_environment(&model, env).into());
    };
    write_stdout(&pretty_json(&view)?)?;
    Ok(ExitCode::from(exit::CLEAN))
}
