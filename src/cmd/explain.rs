//! `charter explain CODE`: the long form of a diagnostic; `--list` for all codes.

use std::fmt::Write as _;
use std::process::ExitCode;

use crate::cmd::{exit, write_stdout};
use crate::diag::code::Code;
use crate::error::Error;
use crate::suggest;

pub fn run(code: Option<&str>, list: bool) -> Result<ExitCode, Error> {
    let text = if list {
        let mut text = String::new();
        for c in Code::ALL {
            let info = c.info();
            let _ = writeln!(
                text,
                "{:<44} {:<5} {}",
                info.name,
                info.level.as_str(),
                info.summary
            );
        }
        text
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
    write_stdout(&text)?;
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
