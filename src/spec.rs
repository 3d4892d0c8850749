//! The typed spec: what the parse stage lowers KDL into. Every node and value keeps
//! its span; nothing is resolved yet (references are names, parents are not merged).
//! Top-level singletons are kept as lists so that the resolve stage can report
//! duplicates instead of the parser silently keeping one.

use crate::source::{Span, Spanned};

/// A name as written: `[a-z][a-z0-9-]{0,62}` once validated.
pub type Name = Spanned<String>;

/// A duration in seconds, as written with one unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration {
    pub seconds: u64,
}

impl Duration {
    pub const DAY: u64 = 86_400;

    pub fn days(self) -> u64 {
        self.seconds / Self::DAY
    }
}

/// A retention period: a duration or `"forever"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Period {
    For(Duration),
    Forever,
}

#[derive(Debug, Default)]
pub struct Spec {
    pub platforms: Vec<Platform>,
    pub apps: Vec<App>,
    pub environments: Vec<Environment>,
    pub identities: Vec<Identity>,
    pub groups: Vec<Group>,
    pub sdm: Vec<Sdm>,
    pub retention: Vec<Retention>,
    pub logging: Vec<Logging>,
    pub channels: Vec<Channel>,
    pub escalations: Vec<Escalation>,
    pub alerts: Vec<Alert>,
    pub runbooks: Vec<Runbook>,
    pub lints: Vec<Lint>,
    pub waivers: Vec<Waiver>,
    pub constraints: Vec<Constraint>,
    /// Every string value in the spec, for checks that scan text (credentials).
    pub strings: Vec<Spanned<String>>,
    /// Entities with a valid name whose node had errors and was dropped, by node
    /// kind (`environment`, `channel`, ...): their names still count as declared,
    /// so references to them do not add "not defined" noise.
    pub dropped: Vec<(&'static str, Name)>,
    /// Top-level node kinds written in the text, valid or not (a misspelled node
    /// counts as the kind it was suggested to be), so that a node with errors is
    /// not also reported as missing.
    pub written: std::collections::BTreeSet<&'static str>,
}

#[derive(Debug, Clone)]
pub struct Platform {
    pub name: Name,
    pub span: Span,
    pub description: Option<Spanned<String>>,
    pub owner: Option<Owner>,
    pub repo: Option<Spanned<String>>,
    pub deploy_command: Option<Spanned<String>>,
}

#[derive(Debug, Clone)]
pub struct Owner {
    pub team: Spanned<String>,
    pub chat: Option<Spanned<String>>,
    pub email: Option<Spanned<String>>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AppKind {
    OpenWebui,
    OpenWebuiPipelines,
    Container,
}

impl AppKind {
    pub const NAMES: &'static [&'static str] = &["open-webui", "open-webui-pipelines", "container"];

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "open-webui" => Some(Self::OpenWebui),
            "open-webui-pipelines" => Some(Self::OpenWebuiPipelines),
            "container" => Some(Self::Container),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::OpenWebui => "open-webui",
            Self::OpenWebuiPipelines => "open-webui-pipelines",
            Self::Container => "container",
        }
    }
}

#[derive(Debug, Clone)]
pub struct App {
    pub name: Name,
    pub span: Span,
    pub kind: Spanned<AppKind>,
    pub image: Option<Image>,
    pub port: Option<Spanned<u16>>,
    pub health: Option<Health>,
    pub needs: Vec<Name>,
    pub env: Vec<EnvVar>,
    pub filters: Vec<Filter>,
}

#[derive(Debug, Clone)]
pub struct Image {
    pub repository: Spanned<String>,
    pub tag: Spanned<String>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Health {
    pub path: Spanned<String>,
    pub interval: Option<Spanned<Duration>>,
    pub timeout: Option<Spanned<Duration>>,
    pub unhealthy_after: Option<Spanned<u32>>,
    pub span: Span,
}

/// A plain (non-secret) environment variable.
#[derive(Debug, Clone)]
pub struct EnvVar {
    pub key: Spanned<String>,
    pub value: Spanned<String>,
    /// Only on environments: the app it is for (all apps when absent).
    pub app: Option<Name>,
    pub span: Span,
}

/// A Pipelines filter installed at start.
#[derive(Debug, Clone)]
pub struct Filter {
    pub name: Name,
    pub source: Spanned<String>,
    pub models: Spanned<String>,
    pub priority: Spanned<i64>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tier {
    Development,
    Staging,
    Production,
}

impl Tier {
    pub const NAMES: &'static [&'static str] = &["development", "staging", "production"];

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "development" => Some(Self::Development),
            "staging" => Some(Self::Staging),
            "production" => Some(Self::Production),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Development => "development",
            Self::Staging => "staging",
            Self::Production => "production",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Environment {
    pub name: Name,
    pub span: Span,
    pub is_abstract: Option<Spanned<bool>>,
    pub extends: Option<Name>,
    pub tier: Option<Spanned<Tier>>,
    pub account: Option<Spanned<String>>,
    pub domain: Option<Spanned<String>>,
    pub regions: Vec<Region>,
    pub scales: Vec<Scale>,
    pub resources: Vec<Resource>,
    pub secrets: Vec<Secret>,
    pub env: Vec<EnvVar>,
    pub deploy: Option<Deploy>,
    pub load_balancers: Vec<LoadBalancer>,
}

/// The ids AWS gave the load balancer and target group in front of an app once
/// Katana created them (alarms on load balancer metrics need them).
#[derive(Debug, Clone)]
pub struct LoadBalancer {
    pub app: Name,
    /// For the environment's SDM twin rather than the environment itself.
    pub sdm: bool,
    pub id: Spanned<String>,
    pub target_group: Spanned<String>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Region {
    pub name: Spanned<String>,
    pub primary: Option<Spanned<bool>>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Scale {
    pub app: Name,
    pub min: Option<Spanned<u32>>,
    pub max: Option<Spanned<u32>>,
    pub cpu_target: Option<Spanned<u32>>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResourceKind {
    AuroraPostgres,
    Postgres,
    Elasticache,
    S3,
    Essp,
}

impl ResourceKind {
    pub const NAMES: &'static [&'static str] =
        &["aurora-postgres", "postgres", "elasticache", "s3", "essp"];

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "aurora-postgres" => Some(Self::AuroraPostgres),
            "postgres" => Some(Self::Postgres),
            "elasticache" => Some(Self::Elasticache),
            "s3" => Some(Self::S3),
            "essp" => Some(Self::Essp),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::AuroraPostgres => "aurora-postgres",
            Self::Postgres => "postgres",
            Self::Elasticache => "elasticache",
            Self::S3 => "s3",
            Self::Essp => "essp",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Resource {
    pub name: Name,
    pub kind: Spanned<ResourceKind>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SecretStore {
    Ssm,
    SecretsManager,
}

impl SecretStore {
    pub const NAMES: &'static [&'static str] = &["ssm", "secrets-manager"];

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "ssm" => Some(Self::Ssm),
            "secrets-manager" => Some(Self::SecretsManager),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ssm => "ssm",
            Self::SecretsManager => "secrets-manager",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Secret {
    pub name: Name,
    pub store: Spanned<SecretStore>,
    /// Consuming apps: `for=` and any further arguments.
    pub consumers: Vec<Name>,
    pub env: Spanned<String>,
    pub rotate: Option<Spanned<Duration>>,
    pub path: Option<Spanned<String>>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Deploy {
    pub approvals: Option<Spanned<u32>>,
    pub change_ticket: Option<Spanned<bool>>,
    pub window: Option<Spanned<String>>,
    pub command: Option<Spanned<String>>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Identity {
    pub name: Name,
    pub issuer: Spanned<String>,
    pub client_id: Spanned<String>,
    pub group_claim: Option<Spanned<String>>,
    pub client_secret: Option<Name>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Pending,
    User,
    Admin,
}

impl Role {
    pub const NAMES: &'static [&'static str] = &["pending", "user", "admin"];

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "pending" => Some(Self::Pending),
            "user" => Some(Self::User),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::User => "user",
            Self::Admin => "admin",
        }
    }
}

/// The features a group can be granted (Open `WebUI` user permissions).
pub const FEATURES: &[&str] = &[
    "chat",
    "code-interpreter",
    "export",
    "file-upload",
    "functions",
    "image-generation",
    "knowledge",
    "models",
    "pipelines",
    "prompts",
    "temporary-chat",
    "tools",
    "web-search",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ShareLevel {
    None,
    Link,
    Group,
    Public,
}

impl ShareLevel {
    pub const NAMES: &'static [&'static str] = &["none", "link", "group", "public"];

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "none" => Some(Self::None),
            "link" => Some(Self::Link),
            "group" => Some(Self::Group),
            "public" => Some(Self::Public),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Link => "link",
            Self::Group => "group",
            Self::Public => "public",
        }
    }
}

/// What can be shared, and how widely: one entry per object kind.
pub const SHARE_OBJECTS: &[&str] = &["chats", "knowledge", "models", "prompts", "tools"];

#[derive(Debug, Clone)]
pub struct Share {
    /// (object, level), object one of [`SHARE_OBJECTS`], in that order.
    pub levels: Vec<(&'static str, Spanned<ShareLevel>)>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Group {
    pub name: Name,
    pub span: Span,
    pub directory: Option<Spanned<String>>,
    pub inherits: Option<Name>,
    pub role: Option<Spanned<Role>>,
    pub models: Vec<Spanned<String>>,
    pub features: Vec<Spanned<String>>,
    pub share: Option<Share>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AuditLevel {
    None,
    Metadata,
    Request,
    RequestResponse,
}

impl AuditLevel {
    pub const NAMES: &'static [&'static str] = &["none", "metadata", "request", "request-response"];

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "none" => Some(Self::None),
            "metadata" => Some(Self::Metadata),
            "request" => Some(Self::Request),
            "request-response" => Some(Self::RequestResponse),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Metadata => "metadata",
            Self::Request => "request",
            Self::RequestResponse => "request-response",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SdmStorage {
    Dedicated,
    Shared,
}

#[derive(Debug, Clone)]
pub struct Sdm {
    pub environments: Vec<Name>,
    pub groups: Vec<Name>,
    pub storage: Option<Spanned<SdmStorage>>,
    pub audit: Option<Spanned<AuditLevel>>,
    pub share: Option<Share>,
    pub moderation: Option<Name>,
    pub span: Span,
}

/// The data classes that retention governs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DataClass {
    Conversations,
    Files,
    AuditLogs,
    AppLogs,
    AccessLogs,
}

impl DataClass {
    pub const ALL: &'static [DataClass] = &[
        Self::Conversations,
        Self::Files,
        Self::AuditLogs,
        Self::AppLogs,
        Self::AccessLogs,
    ];
    pub const NAMES: &'static [&'static str] = &[
        "conversations",
        "files",
        "audit-logs",
        "app-logs",
        "access-logs",
    ];

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "conversations" => Some(Self::Conversations),
            "files" => Some(Self::Files),
            "audit-logs" => Some(Self::AuditLogs),
            "app-logs" => Some(Self::AppLogs),
            "access-logs" => Some(Self::AccessLogs),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Conversations => "conversations",
            Self::Files => "files",
            Self::AuditLogs => "audit-logs",
            Self::AppLogs => "app-logs",
            Self::AccessLogs => "access-logs",
        }
    }

    /// Log classes are stored in indices and have a hot phase.
    pub fn is_log(self) -> bool {
        matches!(self, Self::AuditLogs | Self::AppLogs | Self::AccessLogs)
    }
}

#[derive(Debug, Clone)]
pub struct RetentionRule {
    pub class: Spanned<DataClass>,
    pub period: Spanned<Period>,
    pub hot: Option<Spanned<Duration>>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum OverrideTarget {
    Environment(Name),
    Sdm(Span),
    Tier(Spanned<Tier>),
}

#[derive(Debug, Clone)]
pub struct RetentionOverride {
    pub target: OverrideTarget,
    pub periods: Vec<(Spanned<DataClass>, Spanned<Period>)>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Retention {
    pub defaults: Vec<RetentionRule>,
    pub overrides: Vec<RetentionOverride>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogLevel {
    Debug,
    Info,
    Warning,
    Error,
    Critical,
}

impl LogLevel {
    pub const NAMES: &'static [&'static str] = &["debug", "info", "warning", "error", "critical"];

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "debug" => Some(Self::Debug),
            "info" => Some(Self::Info),
            "warning" => Some(Self::Warning),
            "error" => Some(Self::Error),
            "critical" => Some(Self::Critical),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Debug => "debug",
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Error => "error",
            Self::Critical => "critical",
        }
    }
}

#[derive(Debug, Clone)]
pub struct LogStream {
    pub level: Option<Spanned<LogLevel>>,
    pub index: Spanned<String>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct AuditStream {
    pub level: Spanned<AuditLevel>,
    pub index: Spanned<String>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Logging {
    pub app: Option<LogStream>,
    pub audit: Option<AuditStream>,
    pub access: Option<LogStream>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    Slack(String),
    Pager(String),
    Servicenow(String),
    Email(String),
}

impl Destination {
    pub const KINDS: &'static [&'static str] = &["slack", "pager", "servicenow", "email"];

    pub fn kind(&self) -> &'static str {
        match self {
            Self::Slack(_) => "slack",
            Self::Pager(_) => "pager",
            Self::Servicenow(_) => "servicenow",
            Self::Email(_) => "email",
        }
    }

    pub fn target(&self) -> &str {
        match self {
            Self::Slack(t) | Self::Pager(t) | Self::Servicenow(t) | Self::Email(t) => t,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Channel {
    pub name: Name,
    pub destination: Spanned<Destination>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct EscalationLevel {
    pub channel: Name,
    pub after: Spanned<Duration>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Escalation {
    pub name: Name,
    pub levels: Vec<EscalationLevel>,
    pub span: Span,
}

/// The metrics charter knows how to map to the platform's real metrics.
pub const METRIC_CATALOGUE: &[&str] = &[
    "cpu-percent",
    "http-5xx-rate",
    "memory-percent",
    "p99-latency-ms",
    "restarts",
    "unhealthy-hosts",
];

pub const STATISTICS: &[&str] = &["Average", "Maximum", "Minimum", "SampleCount", "Sum"];

#[derive(Debug, Clone)]
pub enum MetricSource {
    Catalogue {
        name: Spanned<String>,
        app: Option<Name>,
    },
    Raw {
        namespace: Spanned<String>,
        name: Spanned<String>,
        statistic: Spanned<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub enum Comparison {
    Above(f64),
    Below(f64),
}

#[derive(Debug, Clone)]
pub struct Metric {
    pub source: MetricSource,
    pub threshold: Spanned<Comparison>,
    pub period: Spanned<Duration>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AlertSeverity {
    Critical,
    Warning,
    Info,
}

impl AlertSeverity {
    pub const NAMES: &'static [&'static str] = &["critical", "warning", "info"];

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "critical" => Some(Self::Critical),
            "warning" => Some(Self::Warning),
            "info" => Some(Self::Info),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Critical => "critical",
            Self::Warning => "warning",
            Self::Info => "info",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Alert {
    pub name: Name,
    pub span: Span,
    pub metric: Option<Metric>,
    pub severity: Option<Spanned<AlertSeverity>>,
    pub notify: Vec<Name>,
    pub escalation: Option<Name>,
    pub runbook: Option<Name>,
    pub tiers: Vec<Spanned<Tier>>,
    pub environments: Vec<Name>,
}

/// Placeholders a runbook step may use.
pub const PLACEHOLDERS: &[&str] = &["domain", "environment", "platform", "tier"];

#[derive(Debug, Clone)]
pub struct Runbook {
    pub name: Name,
    pub title: Spanned<String>,
    pub when: Option<Spanned<String>>,
    pub steps: Vec<Spanned<String>>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Lint {
    pub code: Spanned<String>,
    pub level: Spanned<crate::diag::code::Level>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Waiver {
    pub code: Spanned<String>,
    pub environments: Vec<Name>,
    pub reason: Spanned<String>,
    pub ticket: Spanned<String>,
    pub owner: Spanned<String>,
    pub expires: Spanned<String>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum ConstraintScope {
    Tier(Spanned<Tier>),
    Environments(Vec<Name>),
}

#[derive(Debug, Clone)]
pub struct Constraint {
    pub name: Name,
    pub schema: Spanned<String>,
    pub applies_to: ConstraintScope,
    pub span: Span,
}
