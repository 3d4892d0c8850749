//! `charter explain CODE`: the long form of a diagnostic; `--list` for all codes.

use std::io::Write;
use std::process::ExitCode;

use crate::cmd::exit;
use crate::diag::code::Code;
use crate::error::Error;
use crate::suggest;

pub fn run(code: Option<&str>, list: bool) -> Result<ExitCode, Error> {
    let text = if list {
        Code::ALL
            .iter()
            .map(|c| {
                format!(
                    "{:<44} {:<5} {}\n",
                    c.name(),
                    c.info().level.as_str(),
                    c.info().summary
                )
            })
            .collect::<String>()
    } else {
        let name = code.unwrap_or_default();
        let Some(found) = Code::from_name(name) else {
            let help = suggest::did_you_mean(name, Code::ALL.iter().map(|c| c.name()))
                .unwrap_or_else(|| "`charter explain --list` lists every code".to_string());
            return Err(Error::UnknownCode {
                code: name.to_string(),
                help,
            });
        };
        explanation(found)
    };
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(Error::Output)?;
    Ok(ExitCode::from(exit::CLEAN))
}

/// The long form: heading, level, summary and explanation.
pub fn explanation(code: Code) -> String {
    let info = code.info();
    let configurable = if info.configurable {
        "can be changed with `lint` and waived with `waiver`"
    } else {
        "structural: cannot be lowered or waived"
    };
    format!(
        "{}\n\nDefault level: {} ({configurable})\n{}\n\n{}",
        info.name,
        info.level.as_str(),
        info.summary,
        info.explanation
    )
}
