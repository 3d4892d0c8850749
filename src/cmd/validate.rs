//! `charter validate`: load, compile, report; exit 0 clean, 1 with errors.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use crate::Options;
use crate::cli::Format;
use crate::cmd::{exit, load::load_spec, today_utc};
use crate::diag::{render_human, render_json};
use crate::error::Error;

pub fn run(
    spec: &Path,
    format: Format,
    today: Option<jiff::civil::Date>,
    style: render_human::Style,
) -> Result<ExitCode, Error> {
    let sources = load_spec(spec)?;
    let options = Options {
        today: today.unwrap_or_else(today_utc),
    };
    let outcome = crate::compile(&sources, &options);
    let text = match format {
        Format::Human => {
            render_human::render(&sources, &outcome.findings, &outcome.waived, style, 100)
        }
        Format::Json => render_json::render(&sources, &outcome.findings, &outcome.waived),
    };
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(Error::Output)?;
    Ok(ExitCode::from(if outcome.has_errors() {
        exit::ERRORS
    } else {
        exit::CLEAN
    }))
}
