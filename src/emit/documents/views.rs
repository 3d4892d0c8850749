//! The template contexts of the documents family: the sealed model → plain,
//! serializable views, one per document (`policy`, `runbooks`, `onboarding`). Pure
//! and deterministic: every list is in model order (names sorted) or in an order
//! stated here, and numbers are also given as ready-made text, so templates (the
//! built-in ones and a spec's overrides) only place values.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::model::{DataClass, ShareLevel};
use crate::model::{Environment, Model, Retention};

mod onboarding;
mod policy;
mod runbooks;

pub use onboarding::onboarding;
pub use policy::policy;
pub use runbooks::runbooks;

/// The charter version that generated the documents.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Every data class, in the order the documents list them.
const DATA_CLASSES: [DataClass; 5] = [
    DataClass::Conversations,
    DataClass::Files,
    DataClass::AuditLogs,
    DataClass::AppLogs,
    DataClass::AccessLogs,
];

// --- shared pieces ------------------------------------------------------------

#[derive(Debug, Clone, Serialize)]
pub struct PlatformView {
    pub name: String,
    pub description: Option<String>,
    pub repo: Option<String>,
    pub owner: Option<OwnerView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OwnerView {
    pub team: String,
    pub chat: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IdentityView {
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    pub group_claim: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct EnvView {
    pub name: String,
    pub tier: &'static str,
    pub production: bool,
    pub account: String,
    pub domain: Option<String>,
    /// `https://{domain}`, when the environment has a domain.
    pub url: Option<String>,
    /// Region names, the primary first.
    pub regions: Vec<String>,
    pub primary_region: Option<String>,
    /// On an SDM twin: the environment it isolates.
    pub sdm_of: Option<String>,
    /// On an environment that has an SDM twin: the twin's name.
    pub sdm_twin: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupRef {
    pub name: String,
    pub directory: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ShareView {
    /// `chats`, `knowledge`, `models`, `prompts` or `tools`.
    pub object: String,
    /// `none`, `link`, `group` or `public`.
    pub level: &'static str,
    /// What the level lets a user do, in words.
    pub meaning: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct FeatureView {
    pub name: String,
    pub label: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DataClassView {
    pub name: &'static str,
    pub label: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct RetentionCell {
    pub class: &'static str,
    pub label: &'static str,
    /// Whether a retention rule covers the class in this environment.
    pub set: bool,
    pub days: Option<u64>,
    pub forever: bool,
    pub hot_days: Option<u64>,
    /// Which rule decided it: `default`, `tier`, `sdm` or `environment`.
    pub rule: Option<&'static str>,
    /// `400 days`, `forever` or `none`.
    pub kept: String,
    /// `kept`, the hot period when there is one, and the rule: `730 days, hot 30 days (sdm)`.
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChannelView {
    pub name: String,
    /// `slack`, `pager`, `servicenow` or `email`.
    pub kind: String,
    pub target: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct EscalationView {
    pub name: String,
    pub levels: Vec<LevelView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LevelView {
    /// 1 for the first level.
    pub level: usize,
    pub channel: ChannelView,
    pub after_seconds: u64,
    /// `at once` or `after 15 min`.
    pub after: String,
}

// --- helpers -------------------------------------------------------------------

fn platform_view(model: &Model) -> PlatformView {
    let p = &model.platform;
    PlatformView {
        name: p.name.clone(),
        description: p.description.clone(),
        repo: p.repo.clone(),
        owner: p.owner.as_ref().map(|o| OwnerView {
            team: o.team.clone(),
            chat: o.chat.clone(),
            email: o.email.clone(),
        }),
    }
}

fn identity_view(model: &Model) -> Option<IdentityView> {
    model.identity.as_ref().map(|i| IdentityView {
        name: i.name.clone(),
        issuer: i.issuer.clone(),
        client_id: i.client_id.clone(),
        group_claim: i.group_claim.clone(),
    })
}

fn env_view(e: &Environment) -> EnvView {
    EnvView {
        name: e.name.clone(),
        tier: e.tier.as_str(),
        production: e.is_production(),
        account: e.account.clone(),
        domain: e.domain.clone(),
        url: url(e.domain.as_deref()),
        regions: e.regions.iter().map(|r| r.name.clone()).collect(),
        primary_region: e.primary_region().map(|r| r.name.clone()),
        sdm_of: e.sdm.as_ref().map(|s| s.of.clone()),
        sdm_twin: e.twin.clone(),
    }
}

fn group_refs(model: &Model, names: &BTreeSet<String>) -> Vec<GroupRef> {
    names
        .iter()
        .map(|n| GroupRef {
            name: n.clone(),
            directory: model.groups.get(n).and_then(|g| g.directory.clone()),
        })
        .collect()
}

/// `shared` for a twin that uses its base's storage, else `dedicated`.
fn storage(env: &Environment) -> &'static str {
    if env.shares_base_storage() {
        "shared"
    } else {
        "dedicated"
    }
}

fn url(domain: Option<&str>) -> Option<String> {
    domain.map(|d| format!("https://{d}"))
}

fn share_views(share: &std::collections::BTreeMap<String, ShareLevel>) -> Vec<ShareView> {
    share
        .iter()
        .map(|(object, level)| ShareView {
            object: object.clone(),
            level: level.as_str(),
            meaning: match level {
                ShareLevel::None => "not shared",
                ShareLevel::Link => "by link, with signed-in users",
                ShareLevel::Group => "with chosen groups",
                ShareLevel::Public => "with every signed-in user",
            },
        })
        .collect()
}

fn retention_cell(class: DataClass, retention: Option<&Retention>) -> RetentionCell {
    let kept = match retention {
        Some(r) if r.forever => "forever".to_string(),
        Some(Retention { days: Some(d), .. }) => days(*d),
        _ => "none".to_string(),
    };
    let text = match retention {
        None => kept.clone(),
        Some(r) => match r.hot_days {
            Some(h) => format!("{kept}, hot {} ({})", days(h), r.rule),
            None => format!("{kept} ({})", r.rule),
        },
    };
    RetentionCell {
        class: class.as_str(),
        label: class_label(class),
        set: retention.is_some(),
        days: retention.and_then(|r| r.days),
        forever: retention.is_some_and(|r| r.forever),
        hot_days: retention.and_then(|r| r.hot_days),
        rule: retention.map(|r| r.rule.as_str()),
        kept,
        text,
    }
}

fn class_label(class: DataClass) -> &'static str {
    match class {
        DataClass::Conversations => "Conversations",
        DataClass::Files => "Files",
        DataClass::AuditLogs => "Audit logs",
        DataClass::AppLogs => "App logs",
        DataClass::AccessLogs => "Access logs",
    }
}

fn feature_label(feature: &str) -> String {
    let label = match feature {
        "chat" => "Chat",
        "code-interpreter" => "Code interpreter",
        "export" => "Export chats",
        "file-upload" => "File upload",
        "functions" => "Functions",
        "image-generation" => "Image generation",
        "knowledge" => "Knowledge bases",
        "models" => "Custom models",
        "pipelines" => "Pipelines",
        "prompts" => "Prompts",
        "temporary-chat" => "Temporary chats",
        "tools" => "Tools",
        "web-search" => "Web search",
        other => other,
    };
    label.to_string()
}

fn days(n: u64) -> String {
    if n == 1 {
        "1 day".to_string()
    } else {
        format!("{n} days")
    }
}

/// Seconds in the largest whole unit: `30 s`, `5 min`, `2 h`, `1 day`.
pub fn duration(seconds: u64) -> String {
    if seconds > 0 && seconds.is_multiple_of(86_400) {
        days(seconds / 86_400)
    } else if seconds > 0 && seconds.is_multiple_of(3_600) {
        format!("{} h", seconds / 3_600)
    } else if seconds > 0 && seconds.is_multiple_of(60) {
        format!("{} min", seconds / 60)
    } else {
        format!("{seconds} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RetentionRule;

    #[test]
    fn durations_use_the_largest_whole_unit() {
        assert_eq!(duration(0), "0 s");
        assert_eq!(duration(45), "45 s");
        assert_eq!(duration(300), "5 min");
        assert_eq!(duration(7_200), "2 h");
        assert_eq!(duration(86_400), "1 day");
        assert_eq!(duration(90), "90 s");
    }

    #[test]
    fn retention_cells_say_how_long_and_why() {
        let r = Retention {
            days: Some(730),
            forever: false,
            hot_days: Some(30),
            rule: RetentionRule::Sdm,
        };
        let cell = retention_cell(DataClass::AuditLogs, Some(&r));
        assert_eq!(cell.text, "730 days, hot 30 days (sdm)");
        assert_eq!(cell.kept, "730 days");
        let forever = Retention {
            days: None,
            forever: true,
            hot_days: None,
            rule: RetentionRule::Default,
        };
        assert_eq!(
            retention_cell(DataClass::Files, Some(&forever)).text,
            "forever (default)"
        );
        let none = retention_cell(DataClass::Files, None);
        assert_eq!((none.text.as_str(), none.set), ("none", false));
    }
}
