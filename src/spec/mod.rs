//! The typed spec: what the parse stage lowers KDL into, read by resolve. Every node
//! and value keeps its span; nothing is resolved yet (references are names, parents
//! are not merged). Top-level singletons are kept as lists so that the resolve stage
//! can report duplicates instead of the parser silently keeping one.
//!
//! One module per top-level node kind's typed tree (mirroring `parse/`), plus
//! [`vocabulary`] (the enums a value is spelled as, derived by strum) and
//! [`catalogue`] (the product catalogues). Everything is re-exported here, so a
//! type is named `crate::spec::Environment` wherever it lives.

mod alert;
mod app;
pub mod catalogue;
mod channel;
mod environment;
mod escalation;
mod group;
mod guardrail;
mod identity;
mod logging;
mod platform;
mod retention;
mod runbook;
mod sdm;
pub mod vocabulary;

pub use alert::*;
pub use app::*;
pub use catalogue::*;
pub use channel::*;
pub use environment::*;
pub use escalation::*;
pub use group::*;
pub use guardrail::*;
pub use identity::*;
pub use logging::*;
pub use platform::*;
pub use retention::*;
pub use runbook::*;
pub use sdm::*;
pub use vocabulary::*;

use crate::source::Spanned;

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
    pub dropped: Vec<(crate::id::NodeKind, Name)>,
    /// Top-level node kinds written in the text, valid or not (a misspelled node
    /// counts as the kind it was suggested to be), so that a node with errors is
    /// not also reported as missing.
    pub written: std::collections::BTreeSet<crate::id::NodeKind>,
}

impl Spec {
    /// Whether the spec declares an Open WebUI app (the checks about Open WebUI's
    /// behaviour apply only then).
    pub fn has_open_webui(&self) -> bool {
        self.apps.iter().any(|a| a.kind.value == AppKind::OpenWebui)
    }

    /// Appends the nodes of `other` (the next file's) after this one's. Every field
    /// is named, so a new one cannot be forgotten here.
    pub fn append(&mut self, other: Spec) {
        let Spec {
            platforms,
            apps,
            environments,
            identities,
            groups,
            sdm,
            retention,
            logging,
            channels,
            escalations,
            alerts,
            runbooks,
            lints,
            waivers,
            constraints,
            strings,
            dropped,
            written,
        } = other;
        self.platforms.extend(platforms);
        self.apps.extend(apps);
        self.environments.extend(environments);
        self.identities.extend(identities);
        self.groups.extend(groups);
        self.sdm.extend(sdm);
        self.retention.extend(retention);
        self.logging.extend(logging);
        self.channels.extend(channels);
        self.escalations.extend(escalations);
        self.alerts.extend(alerts);
        self.runbooks.extend(runbooks);
        self.lints.extend(lints);
        self.waivers.extend(waivers);
        self.constraints.extend(constraints);
        self.strings.extend(strings);
        self.dropped.extend(dropped);
        self.written.extend(written);
    }
}
