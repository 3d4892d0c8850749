//! The resolved, validated, immutable model: inheritance merged, SDM twins expanded,
//! retention, secret paths, storage ownership, deploy windows and origins derived
//! once. Only `check::seal` constructs one (a `Model` carries a [`crate::check::Seal`],
//! which only the check stage can make), and only for a spec without errors; every
//! later stage reads nothing else. Maps are `BTreeMap` so iteration order is stable.
//!
//! The facts every reader shares live here too: `access` (who may sign in, which
//! groups are admitted, effective sharing, which group granted what), `view` (the
//! resolved view of one environment), `pattern` (model-id patterns) and `window`
//! (the one deploy-window type and parser).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

mod access;
pub mod pattern;
pub mod view;
mod window;
pub use access::{
    AccessPolicies, AccessPolicy, Grant, admitted, effective_share, granted_by, may_sign_in,
};
pub use view::environment_view;
pub use window::Window;

use crate::id::{NodeId, NodeKind};
use crate::source::Span;
use crate::spec::{Comparison, Destination, Duration, Period};

pub use crate::resolve::retention::Rule as RetentionRule;
/// The spec's vocabulary (tiers, roles, levels, classes): words of the language that
/// the model carries as they are, re-exported so later stages read them from here.
pub use crate::spec::{
    AlertSeverity, AppKind, AuditLevel, DataClass, FEATURES, LogLevel, ResourceKind, Role,
    SHARE_OBJECTS, SecretStore, ShareLevel, Tier,
};

/// A resolved spec. Only `check::check` returns one.
#[derive(Debug, Clone, Serialize)]
pub struct Model {
    pub platform: Platform,
    pub apps: BTreeMap<String, App>,
    /// Deployable environments, SDM twins included (abstract ones are not deployed).
    pub environments: BTreeMap<String, Environment>,
    pub identity: Option<Identity>,
    pub groups: BTreeMap<String, Group>,
    pub channels: BTreeMap<String, Channel>,
    pub escalations: BTreeMap<String, Escalation>,
    pub alerts: BTreeMap<String, Alert>,
    pub runbooks: BTreeMap<String, Runbook>,
    pub waivers: Vec<Waiver>,
    pub constraints: Vec<Constraint>,
    /// The environments grouped by identical grants (`access::AccessPolicies`).
    #[serde(skip)]
    pub access: AccessPolicies,
    /// Where every spec node is declared.
    #[serde(skip)]
    pub origins: BTreeMap<NodeId, Origin>,
    /// Only the check stage can build a model: later stages read it, never make one.
    #[serde(skip)]
    pub seal: crate::check::Seal,
}

/// Where a model item was declared: kept for diagnostics and provenance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Origin(pub Span);

#[derive(Debug, Clone, Serialize)]
pub struct Platform {
    pub name: String,
    pub description: Option<String>,
    pub owner: Option<Owner>,
    pub repo: Option<String>,
    pub deploy_command: Option<String>,
    #[serde(skip)]
    pub origin: Origin,
}

impl Platform {
    pub fn id(&self) -> NodeId {
        NodeId::new(NodeKind::Platform, &self.name)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Owner {
    pub team: String,
    pub chat: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct App {
    pub name: String,
    pub kind: AppKindName,
    pub image: Option<Image>,
    pub port: Option<u16>,
    pub health: Option<Health>,
    /// Resources and apps this app needs, by name.
    pub needs: BTreeSet<String>,
    pub env: BTreeMap<String, String>,
    pub filters: Vec<Filter>,
    #[serde(skip)]
    pub origin: Origin,
}

impl App {
    pub fn id(&self) -> NodeId {
        NodeId::new(NodeKind::App, &self.name)
    }
}

/// An [`AppKind`] that serializes as its spec name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct AppKindName(pub AppKind);

impl Serialize for AppKindName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.as_str())
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Image {
    pub repository: String,
    pub tag: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Health {
    pub path: String,
    pub interval_seconds: Option<u64>,
    pub timeout_seconds: Option<u64>,
    pub unhealthy_after: Option<u32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Filter {
    pub name: String,
    pub source: String,
    pub models: String,
    pub priority: i64,
}

macro_rules! serialize_as_str {
    ($($ty:ty),*) => {$(
        impl Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    )*};
}
serialize_as_str!(
    Tier,
    ResourceKind,
    SecretStore,
    Role,
    ShareLevel,
    AuditLevel,
    LogLevel,
    AlertSeverity,
    DataClass
);

#[derive(Debug, Clone, Serialize)]
pub struct Environment {
    pub name: String,
    pub tier: Tier,
    pub account: String,
    pub domain: Option<String>,
    /// The primary region first, then the others by name.
    pub regions: Vec<Region>,
    /// `extends` chain, nearest parent first.
    pub lineage: Vec<String>,
    pub scales: BTreeMap<String, Scale>,
    pub resources: BTreeMap<String, Resource>,
    pub secrets: BTreeMap<String, Secret>,
    /// Plain variables: app name (or `*` for every app) → name → value.
    pub env: BTreeMap<String, BTreeMap<String, String>>,
    pub deploy: Deploy,
    pub retention: BTreeMap<DataClass, Retention>,
    pub logging: Logging,
    /// Set on an SDM twin: what makes it one.
    pub sdm: Option<SdmTwin>,
    /// Set on an environment the `sdm` node isolates: the name of its twin.
    pub twin: Option<String>,
    /// Where the secrets of this environment live in the parameter store:
    /// `/{platform}/{env}/`, the base's prefix for a twin with shared storage.
    pub secret_prefix: String,
    /// App → its load balancer and target group (CloudWatch dimension values), for
    /// the apps whose ids the spec declares.
    pub load_balancers: BTreeMap<String, LoadBalancer>,
    #[serde(skip)]
    pub origin: Origin,
}

impl Environment {
    pub fn id(&self) -> NodeId {
        NodeId::new(NodeKind::Environment, &self.name)
    }

    /// Whether this is an SDM twin that keeps its base's storage (indices, buckets,
    /// secrets) instead of its own.
    pub fn shares_base_storage(&self) -> bool {
        self.sdm
            .as_ref()
            .is_some_and(|twin| twin.storage == TwinStorage::Shared)
    }

    pub fn is_production(&self) -> bool {
        self.tier == Tier::Production
    }

    pub fn primary_region(&self) -> Option<&Region> {
        self.regions.first()
    }
}

/// The parameter-store prefix the spec owns for an environment's secrets:
/// `/{platform}/{environment}/`.
pub fn secret_prefix(platform: &str, environment: &str) -> String {
    format!("/{platform}/{environment}/")
}

/// CloudWatch's names of an app's load balancer and target group:
/// `app/<name>/<id>` and `targetgroup/<name>/<id>`.
#[derive(Debug, Clone, Serialize)]
pub struct LoadBalancer {
    pub load_balancer: String,
    pub target_group: String,
}

/// The longest load balancer or target group name AWS accepts.
const ELB_NAME_MAX: usize = 32;

/// The name Katana gives the load balancer and target group of an app:
/// `{platform}-{env}-{app}`, or, when that is longer than AWS allows (32), its
/// first 23 characters and 8 hex digits of its sha256.
pub fn load_balancer_name(platform: &str, env: &str, app: &str) -> String {
    use sha2::Digest as _;
    use std::fmt::Write as _;
    let full = format!("{platform}-{env}-{app}");
    if full.len() <= ELB_NAME_MAX {
        return full;
    }
    let digest = sha2::Sha256::digest(full.as_bytes());
    let mut hash = String::new();
    for byte in digest.iter().take(4) {
        let _ = write!(hash, "{byte:02x}");
    }
    let head: String = full.chars().take(ELB_NAME_MAX - 9).collect();
    format!("{}-{hash}", head.trim_end_matches('-'))
}

#[derive(Debug, Clone, Serialize)]
pub struct Region {
    pub name: String,
    pub primary: bool,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Scale {
    pub min: u32,
    pub max: u32,
    pub cpu_target: Option<u32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Resource {
    pub kind: ResourceKind,
    /// The name of the backing store: `{platform}-{environment}-{resource}`.
    pub physical_name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Secret {
    pub store: SecretStore,
    /// Derived (`/{platform}/{environment}/{secret}`) unless the spec overrides it.
    pub path: String,
    pub consumers: BTreeSet<String>,
    pub env: String,
    pub rotate_days: Option<u64>,
    /// The KMS key that must encrypt it (alias, id or ARN), if the spec names one
    /// (serialized only then).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key: Option<String>,
    /// The spec node that declares it: `secret/{env}/{name}` of the environment along
    /// the `extends` chain (or a twin's base) whose block holds it.
    #[serde(skip)]
    pub declared: NodeId,
    #[serde(skip)]
    pub origin: Origin,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Deploy {
    pub approvals: u32,
    pub change_ticket: bool,
    pub window: Option<Window>,
    /// The environment's command, else the platform's, else none (the emitter's default).
    pub command: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Retention {
    pub days: Option<u64>,
    pub forever: bool,
    pub hot_days: Option<u64>,
    /// Which rule decided it.
    pub rule: RetentionRule,
}

impl Serialize for RetentionRule {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl Retention {
    pub fn new(period: Period, hot: Option<Duration>, rule: RetentionRule) -> Self {
        match period {
            Period::For(d) => Self {
                days: Some(d.days()),
                forever: false,
                hot_days: hot.map(Duration::days),
                rule,
            },
            Period::Forever => Self {
                days: None,
                forever: true,
                hot_days: hot.map(Duration::days),
                rule,
            },
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Logging {
    pub app_level: Option<LogLevel>,
    pub audit_level: Option<AuditLevel>,
    /// Bytes of each request and response body an audit entry keeps (`audit
    /// max-body=`), when the spec sets it.
    pub audit_max_body: Option<u32>,
    /// Stream → index name for this environment (`app`, `audit`, `access`).
    pub indices: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SdmTwin {
    /// The environment this twin isolates.
    pub of: String,
    /// Whether it has storage of its own (the default) or its base's.
    pub storage: TwinStorage,
    /// Only these groups may sign in.
    pub groups: BTreeSet<String>,
    pub share: BTreeMap<String, ShareLevel>,
    pub moderation: Option<String>,
}

/// An SDM twin's storage: its own names everywhere, or its base's (an error
/// unless waived).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TwinStorage {
    Dedicated,
    Shared,
}

#[derive(Debug, Clone, Serialize)]
pub struct Identity {
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    pub group_claim: String,
    pub client_secret: Option<String>,
    /// How long a session lasts, in seconds (`session=`, else
    /// [`DEFAULT_SESSION_SECONDS`]): how long a user removed from the directory
    /// keeps the access they signed in with.
    pub session_seconds: u64,
    /// The secret holding the Open WebUI admin API key the access job uses.
    pub admin_key: Option<String>,
}

/// The session lifetime when the identity sets none: eight hours, a working day
/// (Open WebUI's own default is four weeks).
pub const DEFAULT_SESSION_SECONDS: u64 = 8 * 3600;

impl Identity {
    pub fn id(&self) -> NodeId {
        NodeId::new(NodeKind::Identity, &self.name)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Group {
    pub name: String,
    pub directory: Option<String>,
    /// `inherits` chain, nearest parent first.
    pub lineage: Vec<String>,
    pub role: Role,
    pub models: BTreeSet<String>,
    pub features: BTreeSet<String>,
    pub share: BTreeMap<String, ShareLevel>,
    #[serde(skip)]
    pub origin: Origin,
}

impl Group {
    pub fn id(&self) -> NodeId {
        NodeId::new(NodeKind::Group, &self.name)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Channel {
    pub name: String,
    pub kind: ChannelKind,
    pub target: String,
}

/// Where a channel delivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, strum::IntoStaticStr, strum::Display)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum ChannelKind {
    Slack,
    Pager,
    Servicenow,
    Email,
}

impl Channel {
    pub fn from_destination(name: &str, destination: &Destination) -> Self {
        let kind = match destination {
            Destination::Slack(_) => ChannelKind::Slack,
            Destination::Pager(_) => ChannelKind::Pager,
            Destination::Servicenow(_) => ChannelKind::Servicenow,
            Destination::Email(_) => ChannelKind::Email,
        };
        Self {
            name: name.to_string(),
            kind,
            target: destination.target().to_string(),
        }
    }

    pub fn id(&self) -> NodeId {
        NodeId::new(NodeKind::Channel, &self.name)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Escalation {
    pub name: String,
    pub levels: Vec<EscalationLevel>,
}

impl Escalation {
    pub fn id(&self) -> NodeId {
        NodeId::new(NodeKind::Escalation, &self.name)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct EscalationLevel {
    pub channel: String,
    pub after_seconds: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Alert {
    pub name: String,
    pub metric: Metric,
    pub severity: AlertSeverity,
    pub notify: Vec<String>,
    pub escalation: Option<String>,
    pub runbook: Option<String>,
    /// The deployable environments it watches, twins included.
    pub environments: BTreeSet<String>,
}

impl Alert {
    pub fn id(&self) -> NodeId {
        NodeId::new(NodeKind::Alert, &self.name)
    }
}

/// Which side of its threshold a metric alarms on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, strum::IntoStaticStr, strum::Display)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Bound {
    Above,
    Below,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "source", rename_all = "kebab-case")]
pub enum Metric {
    Catalogue {
        name: String,
        app: Option<String>,
        comparison: Bound,
        threshold: f64,
        period_seconds: u64,
    },
    Raw {
        namespace: String,
        name: String,
        statistic: String,
        comparison: Bound,
        threshold: f64,
        period_seconds: u64,
    },
}

pub(crate) fn comparison(c: Comparison) -> (Bound, f64) {
    match c {
        Comparison::Above(v) => (Bound::Above, v),
        Comparison::Below(v) => (Bound::Below, v),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Runbook {
    pub name: String,
    pub title: String,
    pub when: Option<String>,
    pub steps: Vec<String>,
}

impl Runbook {
    pub fn id(&self) -> NodeId {
        NodeId::new(NodeKind::Runbook, &self.name)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Waiver {
    pub code: String,
    pub environments: Vec<String>,
    pub reason: String,
    pub ticket: String,
    pub owner: String,
    pub expires: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Constraint {
    pub name: String,
    pub schema: String,
    pub tier: Option<Tier>,
    pub environments: Vec<String>,
}

impl Waiver {
    pub fn id(&self) -> NodeId {
        NodeId::new(NodeKind::Waiver, &self.code)
    }
}

impl Constraint {
    pub fn id(&self) -> NodeId {
        NodeId::new(NodeKind::Constraint, &self.name)
    }
}
