//! The `charter` binary: parse arguments, run the command, map the outcome to an
//! exit code (0 clean, 1 errors, 2 changes found, 64 bad usage).

use std::process::ExitCode;

use clap::Parser;

use charter::cli::Cli;
use charter::cmd::{self, exit};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() {
                exit::USAGE
            } else {
                exit::CLEAN
            };
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    match cmd::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("{:?}", miette::Report::new(err));
            ExitCode::from(exit::ERRORS)
        }
    }
}
