//! The command line (clap derive): commands, flags and their help.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "charter",
    version,
    about = "Policy-as-code compiler: one KDL spec of a service platform, validated with precise diagnostics",
    long_about = None,
    after_help = "Exit codes: 0 clean, 1 errors, 2 changes found (diff, drift), 64 bad usage.\nRun `charter explain CODE` for the long form of any diagnostic code."
)]
pub struct Cli {
    /// When to color human output (`auto` honours `NO_COLOR` and pipes).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    /// Print the time each stage took (load, parse, resolve, check, emit, schemas,
    /// write) on stderr when the command ends.
    #[arg(long, global = true)]
    pub timings: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// How findings are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// miette reports for people (graphical on a terminal, narrated otherwise).
    Human,
    /// One JSON document (schema in docs/json-output.md).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// GitHub Actions workflow annotations (`::error file=...`).
    Github,
}

/// How a query answer is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AnswerFormat {
    Human,
    Json,
}

/// How `charter diff` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Human,
    Json,
    /// A pull-request comment (under GitHub's 65,536-character limit).
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Dot,
    Mermaid,
}

/// Where the spec is and how its policy is applied.
#[derive(Debug, Clone, Args)]
pub struct SpecArgs {
    /// The spec directory (holds charter.kdl, environments/, policies/).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub spec: PathBuf,

    /// Judge waiver expiry as of this UTC date (YYYY-MM-DD) instead of today.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub today: Option<jiff::civil::Date>,
}

#[derive(Debug, Clone, Args)]
pub struct OutputArgs {
    /// The output directory (default: `generated` inside the spec directory).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// The spec's commit, recorded in manifest.json (give it to build and check alike).
    #[arg(long, value_name = "SHA")]
    pub commit: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct PolicyArgs {
    /// Treat warnings as errors (exit 1 when any warning is left).
    #[arg(long)]
    pub deny_warnings: bool,

    /// Ignore every waiver: report all findings (for audits).
    #[arg(long)]
    pub no_waivers: bool,

    /// Warn about waivers that expire within this many days.
    #[arg(long, value_name = "DAYS", default_value_t = 30)]
    pub warn_expiry: u32,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse, resolve and check the spec; report every finding in one pass.
    #[command(
        after_help = "Examples:\n  charter validate\n  charter validate --spec examples/minimal\n  charter validate --format json > findings.json\n  charter validate --format sarif > charter.sarif\n  charter validate --no-waivers              # everything, for an audit\n  charter validate --today 2027-04-01        # would any waiver have expired by then?"
    )]
    Validate {
        #[command(flatten)]
        spec: SpecArgs,

        #[command(flatten)]
        policy: PolicyArgs,

        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },

    /// Validate, compile every artifact, check them against their schemas, and write
    /// them atomically (pruning files charter produced before and no longer does).
    #[command(
        after_help = "Examples:\n  charter build                      # writes ./generated\n  charter build --out /tmp/preview\n  charter build --commit \"$GITHUB_SHA\"  # record the commit in manifest.json"
    )]
    Build {
        #[command(flatten)]
        spec: SpecArgs,

        #[command(flatten)]
        output: OutputArgs,
    },

    /// Validate and compare the artifacts with the output directory without writing
    /// (the CI gate): stale, missing and extra files, with a diff.
    #[command(after_help = "Examples:\n  charter check\n  charter check --format json")]
    Check {
        #[command(flatten)]
        spec: SpecArgs,

        #[command(flatten)]
        output: OutputArgs,

        #[arg(long, value_enum, default_value_t = AnswerFormat::Human)]
        format: AnswerFormat,
    },

    /// Say what a spec change means: the intent (risky changes first), then the
    /// generated files that change. Exit 0 no change, 2 changes, 1 error.
    #[command(group = clap::ArgGroup::new("against").required(true).multiple(false))]
    #[command(
        after_help = "Examples:\n  charter diff --base HEAD~1\n  charter diff --base origin/main --format markdown\n  charter diff --base-dir ../old-spec --format json"
    )]
    Diff {
        #[command(flatten)]
        spec: SpecArgs,

        /// The git revision to compare with (the spec as committed there; the working
        /// tree and the index are not touched).
        #[arg(long, value_name = "REV", group = "against")]
        base: Option<String>,

        /// Another spec directory to compare with.
        #[arg(long, value_name = "DIR", group = "against")]
        base_dir: Option<PathBuf>,

        #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
        format: DiffFormat,
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

    /// Say where spec nodes are declared and which generated files each one feeds.
    #[command(
        after_help = "Node ids are `kind/name`, as in manifest.json's `sources`.\n\nExamples:\n  charter locate environment/prod\n  charter locate group/caas-admins secret/prod/openai-key --format json"
    )]
    Locate {
        #[command(flatten)]
        spec: SpecArgs,

        /// Node ids, like `environment/prod` or `secret/prod/openai-key`.
        #[arg(required = true, value_name = "NODE")]
        nodes: Vec<String>,

        #[arg(long, value_enum, default_value_t = AnswerFormat::Human)]
        format: AnswerFormat,
    },

    /// Print one resolved environment as JSON (what constraints are checked against).
    #[command(
        after_help = "Examples:\n  charter model --env prod\n  charter model --env prod-sdm | jq .retention"
    )]
    Model {
        #[command(flatten)]
        spec: SpecArgs,

        /// The environment (an SDM twin like `prod-sdm` too).
        #[arg(long, value_name = "ENV")]
        env: String,
    },

    /// Apply an environment's generated artifacts to the platform (idempotent; exit 2
    /// when something changed).
    #[command(subcommand)]
    Apply(ApplyCommand),

    /// Check a deploy gate against the system that holds it (exit 1 when the deploy
    /// must not proceed, also when that system cannot be asked).
    #[command(subcommand)]
    Gate(GateCommand),

    /// Answer access questions: who can use a model, what a group can do, who has a feature.
    #[command(group = clap::ArgGroup::new("question").required(true).multiple(false))]
    #[command(
        after_help = "Examples:\n  charter who-can --model gpt-4o --env prod\n  charter who-can --group caas-builders\n  charter who-can --feature web-search --env staging --format json"
    )]
    WhoCan {
        #[command(flatten)]
        spec: SpecArgs,

        /// Which groups can use this model id.
        #[arg(long, value_name = "MODEL", group = "question")]
        model: Option<String>,

        /// What this group can do, and where.
        #[arg(long, value_name = "GROUP", group = "question")]
        group: Option<String>,

        /// Which groups have this feature.
        #[arg(long, value_name = "FEATURE", group = "question")]
        feature: Option<String>,

        /// Limit the answer to one environment.
        #[arg(long, value_name = "ENV")]
        env: Option<String>,

        #[arg(long, value_enum, default_value_t = AnswerFormat::Human)]
        format: AnswerFormat,
    },

    /// Draw environments, twins, groups, apps, secrets, resources, alerts and their edges.
    #[command(
        after_help = "Examples:\n  charter graph | dot -Tsvg > spec.svg\n  charter graph --format mermaid"
    )]
    Graph {
        #[command(flatten)]
        spec: SpecArgs,

        #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
        format: GraphFormat,
    },

    /// Format every spec file canonically (comments kept; not configurable).
    #[command(
        after_help = "Examples:\n  charter fmt\n  charter fmt --check   # exit 1 and show the diff when a file is not formatted"
    )]
    Fmt {
        /// The spec directory.
        #[arg(long, value_name = "DIR", default_value = ".")]
        spec: PathBuf,

        /// Change nothing; exit 1 if any file is not formatted.
        #[arg(long)]
        check: bool,
    },

    /// Create a new spec from an example; it validates clean.
    #[command(
        after_help = "Examples:\n  charter init my-service\n  charter init chat --example open-webui"
    )]
    Init {
        /// The directory to create (must not exist or be empty).
        dir: PathBuf,

        #[arg(long, value_enum, default_value_t = Example::Minimal)]
        example: Example,
    },

    /// Compare the spec with what is live: the secret stores (`ssm`), exported
    /// configs (`live`). Exit 0 no drift, 2 drift, 1 error.
    #[command(subcommand)]
    Drift(DriftCommand),

    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  charter completions bash > /etc/bash_completion.d/charter\n  charter completions zsh > ~/.zfunc/_charter"
    )]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },

    /// Print the man page (roff).
    #[command(after_help = "Examples:\n  charter man > charter.1 && man ./charter.1")]
    Man,
}

#[derive(Debug, Subcommand)]
pub enum DriftCommand {
    /// Compare an environment's secrets with the SSM Parameter Store and Secrets
    /// Manager: missing, unexpected under the prefix, wrong type, wrong KMS key,
    /// rotation overdue. Reads metadata only (`DescribeParameters`, `ListSecrets`),
    /// never a value.
    #[command(
        after_help = "AWS credentials and region come from the standard chain (AWS_PROFILE, SSO, \
                      AWS_ACCESS_KEY_ID, AWS_REGION, instance roles). The IAM policy it needs: \
                      ssm:DescribeParameters and secretsmanager:ListSecrets.\n\n\
                      Examples:\n  charter drift ssm --env prod\n  \
                      charter drift ssm --env prod --format sarif > drift.sarif\n  \
                      charter drift ssm --env dev --endpoint-url http://127.0.0.1:5000  # an emulator\n  \
                      charter drift ssm --env prod --today 2027-01-01   # what will be overdue by then"
    )]
    Ssm {
        #[command(flatten)]
        spec: SpecArgs,

        /// The environment (an SDM twin like `prod-sdm` too).
        #[arg(long, value_name = "ENV")]
        env: String,

        /// Send the AWS calls here instead of the region's endpoints (an emulator, a VPC endpoint).
        #[arg(long, value_name = "URL")]
        endpoint_url: Option<String>,

        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Example {
    /// One container app, one environment.
    Minimal,
    /// A container service in staging and a two-region production.
    ContainerService,
    /// Open WebUI and Pipelines in dev, staging and prod with SDM twins (the repository's own spec).
    OpenWebui,
}

fn parse_date(text: &str) -> Result<jiff::civil::Date, String> {
    text.parse::<jiff::civil::Date>()
        .map_err(|_| format!("`{text}` is not a date (YYYY-MM-DD)"))
}

/// What `charter apply` applies.
#[derive(Debug, Subcommand)]
pub enum ApplyCommand {
    /// The environment's SNS topics, CloudWatch alarms and S3 lifecycle rules, with
    /// the AWS CLI and its credentials; removes the alarms and topics charter made
    /// for the environment that the spec no longer has.
    #[command(
        after_help = "Examples:\n  charter apply aws --env prod\n  AWS_ENDPOINT_URL=http://127.0.0.1:5000 charter apply aws --env staging"
    )]
    Aws {
        #[command(flatten)]
        spec: SpecArgs,

        #[command(flatten)]
        output: OutputArgs,

        /// The environment (an SDM twin like `prod-sdm` too).
        #[arg(long, value_name = "ENV")]
        env: String,
    },

    /// The environment's ESSP (Elasticsearch) ILM policies and index templates, over
    /// HTTP to `CHARTER_ESSP_URL` with the API key in `CHARTER_ESSP_API_KEY`.
    #[command(
        after_help = "Examples:\n  CHARTER_ESSP_URL=https://essp.example.com CHARTER_ESSP_API_KEY=... charter apply essp --env prod"
    )]
    Essp {
        #[command(flatten)]
        spec: SpecArgs,

        #[command(flatten)]
        output: OutputArgs,

        /// The environment (an SDM twin like `prod-sdm` too).
        #[arg(long, value_name = "ENV")]
        env: String,
    },

    /// The environment's Open WebUI groups, their permissions and each model's read
    /// grants (one union per model), through Open WebUI's API with an admin's API
    /// key in `CHARTER_OPENWEBUI_API_KEY`, at the environment's site or
    /// `CHARTER_OPENWEBUI_URL`.
    #[command(
        name = "open-webui",
        after_help = "Examples:\n  CHARTER_OPENWEBUI_API_KEY=sk-... charter apply open-webui --env prod\n  CHARTER_OPENWEBUI_URL=http://127.0.0.1:8080 CHARTER_OPENWEBUI_API_KEY=sk-... charter apply open-webui --env dev"
    )]
    OpenWebui {
        #[command(flatten)]
        spec: SpecArgs,

        #[command(flatten)]
        output: OutputArgs,

        /// The environment (an SDM twin like `prod-sdm` too).
        #[arg(long, value_name = "ENV")]
        env: String,
    },
}

/// What `charter gate` checks.
#[derive(Debug, Subcommand)]
pub enum GateCommand {
    /// The change request in ServiceNow (Table API `change_request`): approved,
    /// Scheduled or Implement, planned around now, for this service. Credentials
    /// from `CHARTER_SERVICENOW_URL`, `CHARTER_SERVICENOW_USER`,
    /// `CHARTER_SERVICENOW_PASSWORD`.
    #[command(
        after_help = "Examples:\n  charter gate change-ticket --env prod --number CHG0012345"
    )]
    ChangeTicket {
        #[command(flatten)]
        spec: SpecArgs,

        /// The environment being deployed (its `deploy` requires a change ticket).
        #[arg(long, value_name = "ENV")]
        env: String,

        /// The change request number (`CHG` and digits).
        #[arg(long, value_name = "CHG")]
        number: String,

        /// The ServiceNow business service the change must be for [default: the
        /// platform's name].
        #[arg(long, value_name = "NAME")]
        service: Option<String>,
    },
}
