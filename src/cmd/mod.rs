//! Commands: one file per subcommand. The only place that reads files, the
//! environment and the terminal; everything else is pure.

pub mod apply;
pub mod build;
pub mod check;
pub(crate) mod compare;
mod curl;
pub mod diff;
pub mod drift;
pub mod explain;
pub mod fmt;
pub mod gate;
pub mod graph;
pub mod init;
pub mod load;
pub mod locate;
pub mod model;
mod out_dir;
pub mod reference;
mod staging;
pub(crate) mod timings;
pub mod validate;
pub mod who_can;

use std::io::IsTerminal;
use std::process::ExitCode;

use crate::cli::{Cli, ColorChoice, Command, DriftCommand};
use crate::diag::render_human::Style;
use crate::error::Error;

/// Exit codes shared by every command (after Terraform's `-detailed-exitcode`).
pub mod exit {
    pub const CLEAN: u8 = 0;
    pub const ERRORS: u8 = 1;
    pub const CHANGES: u8 = 2;
    pub const USAGE: u8 = 64;
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode, Error> {
    let start = std::time::Instant::now();
    let show_timings = cli.timings;
    let outcome = run_command(cli);
    if show_timings {
        eprint!("{}", timings::report(start));
    }
    outcome
}

fn run_command(cli: Cli) -> Result<ExitCode, Error> {
    let style = style(cli.color);
    match cli.command {
        Command::Validate {
            spec,
            policy,
            format,
        } => validate::run(&spec, &policy, format, style),
        Command::Explain { code, list } => explain::run(code.as_deref(), list),
        Command::Build { spec, output } => build::run(&spec, &output, style),
        Command::Check {
            spec,
            output,
            format,
        } => check::run(&spec, &output, format, style),
        Command::Diff {
            spec,
            base,
            base_dir,
            format,
        } => {
            let base = match (&base, &base_dir) {
                (Some(rev), _) => diff::Base::Revision(rev),
                (None, Some(dir)) => diff::Base::Dir(dir),
                (None, None) => unreachable!("clap requires --base or --base-dir"),
            };
            diff::run(&spec, &base, format, style)
        }
        Command::Model { spec, env } => model::run(&spec, &env, style),
        Command::Locate {
            spec,
            nodes,
            format,
        } => locate::run(&spec, &nodes, format, style),
        Command::Apply(crate::cli::ApplyCommand::Aws { spec, output, env }) => {
            apply::run_aws(&spec, &output, &env, style)
        }
        Command::Apply(crate::cli::ApplyCommand::Essp { spec, output, env }) => {
            apply::run_essp(&spec, &output, &env, style)
        }
        Command::Apply(crate::cli::ApplyCommand::OpenWebui { spec, output, env }) => {
            apply::run_open_webui(&spec, &output, &env, style)
        }
        Command::Gate(crate::cli::GateCommand::ChangeTicket {
            spec,
            env,
            number,
            service,
        }) => gate::run_change_ticket(&spec, &env, &number, service.as_deref(), style),
        Command::WhoCan {
            spec,
            model,
            group,
            feature,
            env,
            format,
        } => {
            let question = match (model, group, feature) {
                (Some(m), _, _) => who_can::Question::Model(m),
                (_, Some(g), _) => who_can::Question::Group(g),
                (_, _, Some(f)) => who_can::Question::Feature(f),
                (None, None, None) => unreachable!("clap requires one question"),
            };
            who_can::run(&spec, &question, env.as_deref(), format, style)
        }
        Command::Graph { spec, format } => graph::run(&spec, format, style),
        Command::Fmt { spec, check } => fmt::run(&spec, check),
        Command::Init { dir, example } => init::run(&dir, example),
        Command::Drift(DriftCommand::Ssm {
            spec,
            env,
            endpoint_url,
            format,
        }) => drift::ssm(&spec, &env, endpoint_url.as_deref(), format, style),
        Command::Completions { shell } => reference::completions(shell),
        Command::Man => reference::man(),
    }
}

/// The human report style for stdout.
pub(crate) fn style(choice: ColorChoice) -> Style {
    let terminal = std::io::stdout().is_terminal();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    match choice {
        ColorChoice::Always => Style::Color,
        ColorChoice::Auto if terminal && !no_color => Style::Color,
        ColorChoice::Never | ColorChoice::Auto if terminal => Style::Plain,
        _ => Style::Narrated,
    }
}

/// Writes a command's output to stdout. A closed pipe (`charter ... | head`) is not
/// an error: the reader has what it wanted.
pub(crate) fn write_stdout(text: &str) -> Result<(), Error> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Output(e)),
        _ => Ok(()),
    }
}

/// A value as pretty JSON with one trailing newline.
pub(crate) fn pretty_json(value: &impl serde::Serialize) -> Result<String, Error> {
    let mut text = serde_json::to_string_pretty(value).map_err(|e| Error::Output(e.into()))?;
    text.push('\n');
    Ok(text)
}

/// Today's date in UTC.
pub(crate) fn today_utc() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
}
