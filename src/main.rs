//! The `charter` binary: parse arguments, run the command, map the outcome to an
//! exit code (0 clean, 1 errors, 2 changes found, 64 bad usage).

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

use charter::cli::{Cli, ColorChoice};
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
    install_error_style(cli.color);
    match cmd::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("{:?}", miette::Report::new(err));
            ExitCode::from(exit::ERRORS)
        }
    }
}

/// Operational errors on stderr follow `--color` and `NO_COLOR` like the reports do.
fn install_error_style(choice: ColorChoice) {
    let terminal = std::io::stderr().is_terminal();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let color = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && !no_color,
    };
    let _ = miette::set_hook(Box::new(move |_| {
        let theme = if color {
            miette::GraphicalTheme::unicode()
        } else {
            miette::GraphicalTheme::unicode_nocolor()
        };
        Box::new(miette::GraphicalReportHandler::new_themed(theme).with_width(80))
    }));
}
