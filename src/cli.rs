//! The command line (clap derive): commands, flags and their help.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "charter",
    version,
    about = "Policy-as-code compiler: one KDL spec of a service platform, validated with precise diagnostics",
    long_about = None,
    after_help = "Exit codes: 0 clean, 1 errors, 2 changes found (diff, drift), 64 bad usage.\nRun `charter explain CODE` for the long form of any diagnostic code."
)]
pub struct Cli {
    /// When to color human output (`auto` honours NO_COLOR and pipes).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// miette reports for people (graphical on a terminal, narrated otherwise).
    Human,
    /// One JSON document (schema in docs/json-output.md).
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse, resolve and check the spec; report every finding in one pass.
    #[command(
        after_help = "Examples:\n  charter validate\n  charter validate --spec examples/minimal\n  charter validate --format json > findings.json\n  charter validate --today 2027-04-01   # would any waiver have expired by then?"
    )]
    Validate {
        /// The spec directory (holds charter.kdl, environments/, policies/).
        #[arg(long, value_name = "DIR", default_value = ".")]
        spec: PathBuf,

        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,

        /// Judge waiver expiry as of this UTC date (YYYY-MM-DD) instead of today.
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        today: Option<jiff::civil::Date>,
    },

    /// Print the long explanation of a diagnostic code.
    #[command(
        after_help = "Examples:\n  charter explain spec/unknown-reference\n  charter explain --list"
    )]
    Explain {
        /// The code, like `retention/long-conversations`.
        #[arg(required_unless_present = "list")]
        code: Option<String>,

        /// List every code with its default level and summary.
        #[arg(long, conflicts_with = "code")]
        list: bool,
    },
}

fn parse_date(text: &str) -> Result<jiff::civil::Date, String> {
    text.parse::<jiff::civil::Date>()
        .map_err(|_| format!("`{text}` is not a date (YYYY-MM-DD)"))
}
