//! Synthetic charter specs of any size, for the benchmarks and the scale tests.
//!
//! std only, deterministic (same [`Shape`] → byte-identical files), and always a
//! spec that `charter validate` accepts without a finding. Included by
//! `benches/pipeline.rs`, `benches/bin/synth.rs` and the integration tests with
//! `#[path = ...] mod synth;`, so it depends on nothing but std.
//!
//! The spec it writes looks like a platform that grew: one abstract `base`, an
//! abstract base per tier extending it, and many deployable environments extending
//! their tier's base, each with its own account, domain, a few secrets and overrides
//! (load-balancer ids on staging and production); families of access groups in
//! inheritance chains; alerts routed to channels and escalations with runbooks; a
//! retention override on every tenth environment; SDM twins of a few production
//! environments; one organisation constraint on production.

#![allow(dead_code)] // each includer uses part of the API

use std::fmt::Write as _;
use std::path::Path;

/// The size knobs of a synthetic spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    /// Deployable environments, spread round-robin over development, staging and
    /// production.
    pub environments: usize,
    /// Access groups, in inheritance chains of `group_chain` (the head of each
    /// chain inherits nothing).
    pub groups: usize,
    /// Length of each group inheritance chain (1 = no inheritance).
    pub group_chain: usize,
    /// Alerts (at least 3: the production pager, a staging and a development one).
    pub alerts: usize,
    /// Environment-specific secrets on top of the five every environment inherits.
    pub own_secrets: usize,
    /// A retention override on every `retention_every`-th environment (0: none).
    pub retention_every: usize,
    /// An SDM twin for every `sdm_every`-th production environment (0: no `sdm`).
    pub sdm_every: usize,
    /// Files the environments are spread over (under `environments/`).
    pub environment_files: usize,
    /// Files the groups are spread over (under `policies/`).
    pub group_files: usize,
}

impl Shape {
    /// The reference workload **L** of issue #11: 1,000 environments, 2,000
    /// groups, 50 alerts, ~1 MB of KDL in ~25 files.
    pub fn large() -> Self {
        Self {
            environments: 1000,
            groups: 2000,
            group_chain: 4,
            alerts: 50,
            own_secrets: 3,
            retention_every: 10,
            sdm_every: 50,
            environment_files: 12,
            group_files: 5,
        }
    }

    /// `L/10`: a tenth of every count that grows with a platform (environments,
    /// groups, alerts), the same per-environment content and file layout.
    pub fn large_tenth() -> Self {
        let l = Self::large();
        Self {
            environments: l.environments / 10,
            groups: l.groups / 10,
            alerts: l.alerts / 10,
            ..l
        }
    }

    /// A small spec for tests: a few of everything, still every feature.
    pub fn small() -> Self {
        Self {
            environments: 12,
            groups: 16,
            group_chain: 4,
            alerts: 6,
            own_secrets: 3,
            retention_every: 10,
            sdm_every: 2,
            environment_files: 3,
            group_files: 2,
        }
    }

    /// A preset by its name (`L`, `L/10`, `small`), as the bench and the example
    /// take it on their command lines.
    pub fn preset(name: &str) -> Option<Self> {
        match name {
            "L" => Some(Self::large()),
            "L/10" => Some(Self::large_tenth()),
            "small" => Some(Self::small()),
            _ => None,
        }
    }
}

/// One generated file: its path relative to the spec root (`/`-separated) and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecFile {
    pub path: String,
    pub text: String,
}

/// The tiers, in the order environments are dealt to them.
const TIERS: [Tier; 3] = [
    Tier {
        name: "development",
        prefix: "dev",
        load_balancers: false,
    },
    Tier {
        name: "staging",
        prefix: "stg",
        load_balancers: true,
    },
    Tier {
        name: "production",
        prefix: "prd",
        load_balancers: true,
    },
];

struct Tier {
    name: &'static str,
    /// Environment names are `{prefix}-{index:04}`.
    prefix: &'static str,
    /// Staging and production declare their load balancers (the 5xx, latency and
    /// host alarms watch them).
    load_balancers: bool,
}

/// Environment `index` (0-based): its name and tier.
fn environment(index: usize) -> (String, &'static Tier) {
    let tier = &TIERS[index % TIERS.len()];
    (format!("{}-{:04}", tier.prefix, index + 1), tier)
}

fn is_production(index: usize) -> bool {
    index % TIERS.len() == 2
}

/// Production environment `index` gets an SDM twin.
fn has_twin(shape: &Shape, index: usize) -> bool {
    shape.sdm_every > 0
        && is_production(index)
        && (index / TIERS.len()).is_multiple_of(shape.sdm_every)
}

/// A deterministic 64-bit mix (splitmix64), for ids that look like AWS's.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

fn hex_id(seed: u64) -> String {
    format!("{:016x}", mix(seed))
}

/// The whole spec of a shape, in path order.
pub fn generate(shape: &Shape) -> Vec<SpecFile> {
    let mut files = vec![
        SpecFile {
            path: "charter.kdl".into(),
            text: root(),
        },
        SpecFile {
            path: "environments/base.kdl".into(),
            text: bases(),
        },
    ];
    files.extend(environment_files(shape));
    files.push(SpecFile {
        path: "policies/access.kdl".into(),
        text: identity(),
    });
    files.extend(group_files(shape));
    files.push(SpecFile {
        path: "policies/alerts.kdl".into(),
        text: alerts(shape),
    });
    files.push(SpecFile {
        path: "policies/guardrails.kdl".into(),
        text: guardrails(),
    });
    files.push(SpecFile {
        path: "policies/logging.kdl".into(),
        text: logging(),
    });
    files.push(SpecFile {
        path: "policies/production-floor.schema.json".into(),
        text: PRODUCTION_FLOOR.into(),
    });
    files.push(SpecFile {
        path: "policies/retention.kdl".into(),
        text: retention(shape),
    });
    files.push(SpecFile {
        path: "policies/runbooks.kdl".into(),
        text: runbooks(),
    });
    if shape.sdm_every > 0 {
        files.push(SpecFile {
            path: "policies/sdm.kdl".into(),
            text: sdm(shape),
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// Writes the files under `dir` (created, with its subfolders, if missing).
pub fn write(dir: &Path, files: &[SpecFile]) -> std::io::Result<()> {
    for file in files {
        let path = dir.join(&file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, &file.text)?;
    }
    Ok(())
}

/// Total bytes of KDL (and JSON) in a generated spec.
pub fn total_bytes(files: &[SpecFile]) -> usize {
    files.iter().map(|f| f.text.len()).sum()
}

fn root() -> String {
    r##"// charter.kdl: a synthetic platform generated for benchmarks (benches/support/synth.rs).

platform "synth" {
    description "Synthetic platform: many environments, groups and alerts"
    owner "synth-platform" chat="#synth" email="synth-platform@example.com"
    repo "example-org/synth"
    deploy command="katana deploy --config {config}"
}

app "webui" kind="open-webui" {
    image "444444444444.dkr.ecr.us-west-2.amazonaws.com/synth/open-webui" tag="v0.11.4"
    port 8080
    health "/health" interval="30s" timeout="5s" unhealthy-after=3
    needs "postgres" "redis" "files" "pipelines"
    env "WEBUI_NAME" "Synth Chat"
    env "DEFAULT_USER_ROLE" "user"
    env "VECTOR_DB" "pgvector"
    env "ENABLE_COMMUNITY_SHARING" "false"
}

app "pipelines" kind="open-webui-pipelines" {
    image "444444444444.dkr.ecr.us-west-2.amazonaws.com/synth/pipelines" tag="2025.07.1"
    port 9099
    health "/" interval="30s" timeout="5s" unhealthy-after=3
    filter "sensitivity-filter" source="https://git.example.com/synth/filters/v1.4.0/sensitivity_filter.py" models="*" priority=0
    filter "pii-redaction" source="https://git.example.com/synth/filters/v1.4.0/pii_redaction.py" models="*" priority=1
}
"##
    .into()
}

fn bases() -> String {
    r#"// environments/base.kdl: what every environment has, and what each tier adds.

environment "base" abstract=#true {
    region "us-west-2" primary=#true
    scale "webui" min=2 max=6 cpu-target=70
    scale "pipelines" min=1 max=2 cpu-target=70
    resource "postgres" kind="aurora-postgres"
    resource "redis" kind="elasticache"
    resource "files" kind="s3"
    resource "logs" kind="essp"
    secret "database-url" store="secrets-manager" for="webui" env="DATABASE_URL" rotate="90d"
    secret "redis-url" store="secrets-manager" for="webui" env="REDIS_URL" rotate="90d"
    secret "webui-secret-key" store="ssm" for="webui" env="WEBUI_SECRET_KEY" rotate="90d"
    secret "pipelines-api-key" store="ssm" for="webui" "pipelines" env="PIPELINES_API_KEY" rotate="90d"
    secret "okta-client-secret" store="ssm" for="webui" env="OAUTH_CLIENT_SECRET" rotate="180d"
}

environment "development-base" abstract=#true extends="base" {
    tier "development"
    scale "webui" min=1 max=2
    scale "pipelines" min=1 max=1
}

environment "staging-base" abstract=#true extends="base" {
    tier "staging"
    deploy approvals=1 change-ticket=#false
}

environment "production-base" abstract=#true extends="base" {
    tier "production"
    region "us-east-1"
    scale "webui" min=3 max=12 cpu-target=60
    scale "pipelines" min=2 max=4
    deploy approvals=2 change-ticket=#true window="Tue-Thu 09:00-16:00 America/Phoenix"
}
"#
    .into()
}

/// The secrets an environment may add; `own_secrets` of them, rotating through.
const OWN_SECRETS: [(&str, &str, &str); 6] = [
    ("smtp-password", "webui", "SMTP_PASSWORD"),
    ("openai-api-key", "webui", "OPENAI_API_KEY"),
    ("anthropic-api-key", "webui", "ANTHROPIC_API_KEY"),
    ("search-api-key", "webui", "SEARXNG_API_KEY"),
    ("moderation-api-key", "pipelines", "MODERATION_API_KEY"),
    ("tika-token", "webui", "TIKA_TOKEN"),
];

fn environment_files(shape: &Shape) -> Vec<SpecFile> {
    let per_file = shape.environments.div_ceil(shape.environment_files.max(1));
    (0..shape.environments)
        .collect::<Vec<_>>()
        .chunks(per_file.max(1))
        .enumerate()
        .map(|(n, chunk)| {
            let mut text = format!(
                "// environments/fleet-{:02}.kdl: environments {} to {}.\n",
                n + 1,
                chunk[0] + 1,
                chunk[chunk.len() - 1] + 1
            );
            for &index in chunk {
                text.push('\n');
                environment_node(shape, index, &mut text);
            }
            SpecFile {
                path: format!("environments/fleet-{:02}.kdl", n + 1),
                text,
            }
        })
        .collect()
}

fn environment_node(shape: &Shape, index: usize, out: &mut String) {
    let (name, tier) = environment(index);
    let team = index % 97 + 1;
    let _ = writeln!(out, "// {name}: team {team}'s {} site.", tier.name);
    let _ = writeln!(
        out,
        "environment \"{name}\" extends=\"{}-base\" {{",
        tier.name
    );
    let _ = writeln!(out, "    account \"{:012}\"", 100_000_000_000 + index);
    let _ = writeln!(out, "    domain \"{name}.synth.example.com\"");
    // A few overrides of what the bases set: a bigger ceiling, a pool size.
    let max = 6 + index % 5;
    let _ = writeln!(out, "    scale \"webui\" max={max}");
    let _ = writeln!(
        out,
        "    env \"DATABASE_POOL_SIZE\" \"{}\" app=\"webui\"",
        5 + index % 16
    );
    let _ = writeln!(out, "    env \"SYNTH_TEAM\" \"team-{team}\"");
    for k in 0..shape.own_secrets {
        let (secret, app, var) = OWN_SECRETS[(index + k) % OWN_SECRETS.len()];
        let rotate = [30, 60, 90][(index + k) % 3];
        let _ = writeln!(
            out,
            "    secret \"{secret}\" store=\"ssm\" for=\"{app}\" env=\"{var}\" rotate=\"{rotate}d\""
        );
    }
    if tier.load_balancers {
        let seed = (index as u64) << 8;
        for (n, app) in ["webui", "pipelines"].iter().enumerate() {
            let _ = writeln!(
                out,
                "    load-balancer \"{app}\" id=\"{}\" target-group=\"{}\"",
                hex_id(seed + n as u64 * 2),
                hex_id(seed + n as u64 * 2 + 1)
            );
        }
        if has_twin(shape, index) {
            for (n, app) in ["webui", "pipelines"].iter().enumerate() {
                let _ = writeln!(
                    out,
                    "    load-balancer \"{app}\" sdm=#true id=\"{}\" target-group=\"{}\"",
                    hex_id(seed + 16 + n as u64 * 2),
                    hex_id(seed + 17 + n as u64 * 2)
                );
            }
        }
    }
    out.push_str("}\n");
}

fn identity() -> String {
    r#"// policies/access.kdl: sign-in. The groups are in policies/groups-*.kdl.

identity "okta" issuer="https://example.okta.com/oauth2/default" client-id="synth" group-claim="groups" client-secret="okta-client-secret"
"#
    .into()
}

const FEATURES: [&str; 13] = [
    "chat",
    "knowledge",
    "web-search",
    "file-upload",
    "prompts",
    "temporary-chat",
    "export",
    "models",
    "tools",
    "functions",
    "pipelines",
    "code-interpreter",
    "image-generation",
];

const LEVELS: [&str; 3] = ["none", "link", "group"];

fn group_name(index: usize) -> String {
    format!("g{:05}", index + 1)
}

fn group_files(shape: &Shape) -> Vec<SpecFile> {
    let chain = shape.group_chain.max(1);
    // Whole chains per file, so every parent is declared in its child's file.
    let chains = shape.groups.div_ceil(chain);
    let chains_per_file = chains.div_ceil(shape.group_files.max(1)).max(1);
    let per_file = chains_per_file * chain;
    (0..shape.groups)
        .collect::<Vec<_>>()
        .chunks(per_file)
        .enumerate()
        .map(|(n, chunk)| {
            let mut text = format!(
                "// policies/groups-{:02}.kdl: access groups {} to {}, in inheritance chains of {chain}.\n",
                n + 1,
                chunk[0] + 1,
                chunk[chunk.len() - 1] + 1
            );
            for &index in chunk {
                text.push('\n');
                group_node(shape, index, &mut text);
            }
            SpecFile {
                path: format!("policies/groups-{:02}.kdl", n + 1),
                text,
            }
        })
        .collect()
}

fn group_node(shape: &Shape, index: usize, out: &mut String) {
    let chain = shape.group_chain.max(1);
    let depth = index % chain;
    let family = index / chain;
    let name = group_name(index);
    let directory = format!("GD-Synth-{:05}", index + 1);
    let _ = write!(out, "group \"{name}\" directory=\"{directory}\"");
    if depth > 0 {
        let _ = write!(out, " inherits=\"{}\"", group_name(index - 1));
    }
    out.push_str(" {\n");
    // The head of a chain sets the role and the base grants; each link adds some.
    if depth == 0 {
        out.push_str("    role \"user\"\n");
        let _ = writeln!(
            out,
            "    models \"gpt-4o\" \"gpt-4o-mini\" \"team-{:03}-*\"",
            family % 500
        );
        out.push_str("    features \"chat\" \"knowledge\" \"prompts\" \"export\"\n");
        let _ = writeln!(
            out,
            "    share chats=\"{}\" knowledge=\"group\" models=\"none\" prompts=\"group\" tools=\"none\"",
            LEVELS[family % 2 + 1]
        );
    } else {
        if depth == chain - 1 && family.is_multiple_of(25) {
            out.push_str("    role \"admin\"\n");
            out.push_str("    models \"*\"\n");
        } else {
            let _ = writeln!(
                out,
                "    models \"claude-*\" \"family-{family:04}-{depth}-*\""
            );
        }
        let f = FEATURES[4 + (index * 7) % (FEATURES.len() - 4)];
        let g = FEATURES[4 + (index * 3 + 1) % (FEATURES.len() - 4)];
        let _ = writeln!(out, "    features \"{f}\" \"{g}\"");
        let _ = writeln!(
            out,
            "    share models=\"{}\" tools=\"{}\"",
            LEVELS[(index + depth) % 3],
            LEVELS[(index * 5) % 3]
        );
    }
    out.push_str("}\n");
}

/// The catalogue metrics that need a load balancer (staging and production only)
/// and those that do not. The first two production pages see a total outage of
/// each app (`alerts/no-outage-alert`).
const LB_METRICS: [(&str, &str, &str); 4] = [
    ("http-5xx-rate", "webui", "above=0.05"),
    ("healthy-hosts", "pipelines", "below=1"),
    ("unhealthy-hosts", "webui", "above=1"),
    ("p99-latency-ms", "webui", "above=10000"),
];
const PLAIN_METRICS: [(&str, &str, &str); 4] = [
    ("cpu-percent", "webui", "85"),
    ("memory-percent", "webui", "90"),
    ("cpu-percent", "pipelines", "85"),
    ("memory-percent", "pipelines", "90"),
];
const RAW_METRICS: [(&str, &str, &str, &str); 4] = [
    ("AWS/RDS", "DatabaseConnections", "Maximum", "900"),
    ("AWS/RDS", "CPUUtilization", "Average", "80"),
    (
        "AWS/ElastiCache",
        "DatabaseMemoryUsagePercentage",
        "Average",
        "85",
    ),
    ("AWS/Logs", "DeliveryErrors", "Sum", "0"),
];
const RUNBOOKS: [&str; 6] = [
    "outage",
    "high-latency",
    "crash-loop",
    "database",
    "cache",
    "log-shipping",
];

fn alerts(shape: &Shape) -> String {
    let mut out = String::from(
        r##"// policies/alerts.kdl: destinations, escalation and the alerts.

channel "synth-slack" slack="#synth-alerts"
channel "synth-slack-nonprod" slack="#synth-alerts-nonprod"
channel "synth-pager" pager="synth-primary"
channel "synth-pager-secondary" pager="synth-secondary"
channel "synth-servicenow" servicenow="Synth Support"
channel "noc-servicenow" servicenow="NOC Major Incident"
channel "synth-email" email="synth-platform@example.com"

escalation "synth-critical" {
    level "synth-pager" after="0m"
    level "synth-pager-secondary" after="15m"
    level "noc-servicenow" after="30m"
}

escalation "synth-business-hours" {
    level "synth-servicenow" after="0m"
    level "synth-pager" after="60m"
}
"##,
    );
    let (_, first_staging) = (1, environment(1).0);
    for n in 0..shape.alerts.max(3) {
        out.push('\n');
        // Every third alert is a production page, every third a staging warning,
        // the rest watch everything (or, now and then, a few named environments).
        let kind = n % 3;
        let name = format!("a{:03}", n + 1);
        let _ = writeln!(out, "alert \"{name}\" {{");
        let runbook = RUNBOOKS[n % RUNBOOKS.len()];
        match kind {
            0 => {
                let (metric, app, threshold) = LB_METRICS[(n / 3) % LB_METRICS.len()];
                let _ = writeln!(
                    out,
                    "    metric \"{metric}\" app=\"{app}\" {threshold} for=\"5m\""
                );
                out.push_str("    severity \"critical\"\n");
                out.push_str("    notify \"synth-slack\" \"synth-servicenow\"\n");
                out.push_str("    escalation \"synth-critical\"\n");
                let _ = writeln!(out, "    runbook \"{runbook}\"");
                out.push_str("    tiers \"production\"\n");
            }
            1 => {
                let (metric, app, threshold) = LB_METRICS[(n / 3 + 1) % LB_METRICS.len()];
                let _ = writeln!(
                    out,
                    "    metric \"{metric}\" app=\"{app}\" {threshold} for=\"10m\""
                );
                out.push_str("    severity \"warning\"\n");
                out.push_str("    notify \"synth-slack-nonprod\"\n");
                let _ = writeln!(out, "    runbook \"{runbook}\"");
                if n % 4 == 1 {
                    let _ = writeln!(out, "    environments \"{first_staging}\"");
                } else {
                    out.push_str("    tiers \"staging\"\n");
                }
            }
            _ => {
                if n % 2 == 0 {
                    let (namespace, metric, statistic, above) =
                        RAW_METRICS[(n / 3) % RAW_METRICS.len()];
                    let _ = writeln!(
                        out,
                        "    metric namespace=\"{namespace}\" name=\"{metric}\" statistic=\"{statistic}\" above={above} for=\"15m\""
                    );
                } else {
                    let (metric, app, above) = PLAIN_METRICS[(n / 3) % PLAIN_METRICS.len()];
                    let _ = writeln!(
                        out,
                        "    metric \"{metric}\" app=\"{app}\" above={above} for=\"15m\""
                    );
                }
                out.push_str("    severity \"warning\"\n");
                out.push_str("    notify \"synth-slack\" \"synth-email\"\n");
                out.push_str("    escalation \"synth-business-hours\"\n");
                let _ = writeln!(out, "    runbook \"{runbook}\"");
            }
        }
        out.push_str("}\n");
    }
    out
}

fn guardrails() -> String {
    r#"// policies/guardrails.kdl: stricter lints and the organisation's constraint.

lint "access/public-sharing" level="deny"
lint "alerts/missing-runbook" level="deny"
// As in the repository's spec: models and tools `none` are advisory in Open WebUI.
lint "access/unenforced-sharing" level="allow"
// As in the repository's spec (there by waiver): the twins' two-year audit trail keeps
// chat text past their 30-day conversations, accepted.
lint "retention/chat-text-in-logs" level="allow"

constraint "production-floor" {
    schema "policies/production-floor.schema.json"
    applies-to tier="production"
}
"#
    .into()
}

const PRODUCTION_FLOOR: &str = r#"{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "Synth production floor",
  "description": "Redundancy, audited access and gated deploys in every production environment.",
  "type": "object",
  "required": ["environment"],
  "properties": {
    "environment": {
      "type": "object",
      "required": ["scales", "deploy", "logging"],
      "properties": {
        "scales": {
          "type": "object",
          "additionalProperties": {
            "type": "object",
            "properties": { "min": { "type": "integer", "minimum": 2 } }
          }
        },
        "deploy": {
          "type": "object",
          "properties": {
            "approvals": { "type": "integer", "minimum": 2 },
            "change_ticket": { "const": true }
          },
          "required": ["approvals", "change_ticket"]
        },
        "logging": {
          "type": "object",
          "required": ["audit_level"],
          "properties": {
            "audit_level": { "enum": ["metadata", "request", "request-response"] }
          }
        }
      }
    }
  }
}
"#;

fn logging() -> String {
    r#"// policies/logging.kdl: log levels and ESSP indices.

logging {
    app level="info" index="synth-app"
    audit level="metadata" index="synth-audit"
    access index="synth-access"
}
"#
    .into()
}

fn retention(shape: &Shape) -> String {
    let mut out = String::from(
        r#"// policies/retention.kdl: how long each class of data lives.

retention {
    conversations "365d"
    files "180d"
    audit-logs "400d" hot="30d"
    app-logs "30d" hot="7d"
    access-logs "90d" hot="7d"
    override tier="production" app-logs="90d" access-logs="400d"
"#,
    );
    if shape.sdm_every > 0 {
        out.push_str(
            "    override sdm=#true conversations=\"30d\" files=\"30d\" audit-logs=\"730d\"\n",
        );
    }
    if shape.retention_every > 0 {
        for index in (shape.retention_every - 1..shape.environments).step_by(shape.retention_every)
        {
            let (name, _) = environment(index);
            let days = [30, 90, 180][(index / shape.retention_every) % 3];
            let _ = writeln!(
                out,
                "    override \"{name}\" conversations=\"{days}d\" files=\"{days}d\""
            );
        }
    }
    out.push_str("}\n");
    out
}

fn runbooks() -> String {
    let mut out = String::from("// policies/runbooks.kdl: what to do when an alert fires.\n");
    for (n, name) in RUNBOOKS.iter().enumerate() {
        let _ = write!(
            out,
            r#"
runbook "{name}" title="Synth {name} procedure" {{
    when "An alert using runbook {name} fires in {{environment}}"
    step "Acknowledge the alert and post in #synth-alerts that you are on it"
    step "Open https://{{domain}}/health and the Katana service page of {{platform}} in {{environment}}"
    step "Check the {{tier}} dashboards for the last hour (panel {n})"
    step "Roll back if a deploy went out in the last hour"
}}
"#
        );
    }
    out
}

fn sdm(shape: &Shape) -> String {
    let mut out = String::from(
        "// policies/sdm.kdl: sensitive-data mode for a few production environments.\n\nsdm {\n    environments",
    );
    for index in (0..shape.environments).filter(|&i| has_twin(shape, i)) {
        let _ = write!(out, " \"{}\"", environment(index).0);
    }
    let _ = writeln!(out, "\n    groups \"{}\"", group_name(0));
    out.push_str(
        r#"    storage "dedicated"
    audit "request-response"
    share chats="none" knowledge="none"
    moderation "sensitivity-filter"
}
"#,
    );
    out
}
