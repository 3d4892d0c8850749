//! `charter model --env E`: the resolved view of one environment as pretty JSON
//! (shape in docs/model.md). Also the shared loader of the query commands: a spec with
//! errors prints its findings as `validate` does and exits 1.

use std::process::ExitCode;

use crate::Options;
use crate::cli::{ColorChoice, SpecArgs};
use crate::cmd::{exit, load::load_spec, today_utc, write_stdout};
use crate::diag::render_human;
use crate::error::Error;
use crate::model::Model;
use crate::query::{self, UnknownName};

pub fn run(spec: &SpecArgs, env: &str) -> Result<ExitCode, Error> {
    let model = match load_model(spec)? {
        Ok(model) => model,
        Err(code) => return Ok(code),
    };
    let Some(view) = query::environment_view(&model, env) else {
        return Ok(report_unknown(query::unknown_environment(&model, env)));
    };
    write_stdout(&pretty_json(&view)?)?;
    Ok(ExitCode::from(exit::CLEAN))
}

/// A value as pretty JSON with one trailing newline.
pub(crate) fn pretty_json(value: &impl serde::Serialize) -> Result<String, Error> {
    let mut text = serde_json::to_string_pretty(value).map_err(|e| Error::Output(e.into()))?;
    text.push('\n');
    Ok(text)
}

/// Loads and compiles the spec. With errors, prints the findings on stdout as
/// `charter validate` does and gives the exit code to end with.
pub(crate) fn load_model(spec: &SpecArgs) -> Result<Result<Model, ExitCode>, Error> {
    let sources = load_spec(&spec.spec)?;
    let outcome = crate::compile(&sources, &Options::on(spec.today.unwrap_or_else(today_utc)));
    match outcome.model {
        Some(model) if !outcome.has_errors() => Ok(Ok(model)),
        _ => {
            let style = super::style(ColorChoice::Auto);
            let text =
                render_human::render(&sources, &outcome.findings, &outcome.waived, style, 100);
            write_stdout(&text)?;
            Ok(Err(ExitCode::from(exit::ERRORS)))
        }
    }
}

/// Prints an unknown name on the command line the way `main` prints errors.
pub(crate) fn report_unknown(unknown: UnknownName) -> ExitCode {
    eprintln!("{:?}", miette::Report::new(unknown));
    ExitCode::from(exit::ERRORS)
}
