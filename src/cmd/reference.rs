//! `charter completions SHELL` and `charter man`: generated from the clap
//! definition, so they never drift from the real flags.

use std::process::ExitCode;

use clap::CommandFactory;

use crate::cli::Cli;
use crate::cmd::{exit, write_stdout};
use crate::error::Error;

pub fn completions(shell: clap_complete::Shell) -> Result<ExitCode, Error> {
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "charter", &mut out);
    write_stdout(&String::from_utf8_lossy(&out))?;
    Ok(ExitCode::from(exit::CLEAN))
}

pub fn man() -> Result<ExitCode, Error> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .map_err(Error::Output)?;
    write_stdout(&String::from_utf8_lossy(&out))?;
    Ok(ExitCode::from(exit::CLEAN))
}
