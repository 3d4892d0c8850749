//! The context of `onboarding.md.tera`: one environment, for its users.

use serde::Serialize;

use crate::emit::HEADER;
use crate::model::{AuditLevel, DataClass};
use crate::model::{Environment, Model};

use super::{
    EnvView, FeatureView, GroupRef, IdentityView, PlatformView, RetentionCell, ShareView, VERSION,
    env_view, feature_label, group_refs, identity_view, platform_view, retention_cell, share_views,
    storage, url,
};

#[derive(Debug, Clone, Serialize)]
pub struct OnboardingView {
    pub header: &'static str,
    pub charter_version: &'static str,
    pub platform: PlatformView,
    pub environment: EnvView,
    pub identity: Option<IdentityView>,
    /// The groups whose members may sign in here (on a twin: only the SDM groups),
    /// listed when there are at most [`LISTED_GROUPS`]; otherwise empty, and the
    /// guide points to its access policy in `policy.md`, which lists them once for
    /// every environment with the same grants.
    pub groups: Vec<OnboardingGroup>,
    /// How many groups may sign in here.
    pub group_count: usize,
    /// The number of this environment's access policy (`policy.md#policy-N`).
    pub access_policy: Option<usize>,
    /// Conversations and files on this site.
    pub retention: Vec<RetentionCell>,
    pub audit: Option<AuditView>,
    /// On a twin: the moderation filter every chat passes.
    pub moderation: Option<String>,
    /// `dedicated`, or `shared` when a twin uses its base environment's storage.
    pub storage: &'static str,
    /// On a twin: the regular site it isolates.
    pub regular_site: Option<SiteView>,
    /// On an environment with a twin: the sensitive-data site.
    pub sdm_site: Option<SdmSiteView>,
}

/// The most groups an onboarding guide lists itself. A guide is read by one
/// person looking for their group: past a screenful, a table per environment is
/// unreadable, and repeating it in every guide made the guides grow with
/// environments × groups (661 MB on the 1,000-environment benchmark spec).
pub const LISTED_GROUPS: usize = 30;

#[derive(Debug, Clone, Serialize)]
pub struct AuditView {
    /// `none`, `metadata`, `request` or `request-response`.
    pub level: &'static str,
    /// What is recorded, in words for users (no final period).
    pub meaning: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct OnboardingGroup {
    pub name: String,
    pub directory: Option<String>,
    pub role: &'static str,
    pub models: Vec<String>,
    pub features: Vec<FeatureView>,
    pub share: Vec<ShareView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SiteView {
    pub name: String,
    pub domain: Option<String>,
    pub url: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SdmSiteView {
    pub name: String,
    pub domain: Option<String>,
    pub url: Option<String>,
    pub groups: Vec<GroupRef>,
    pub retention: Vec<RetentionCell>,
    pub share: Vec<ShareView>,
}

pub fn onboarding(model: &Model, env: &Environment) -> OnboardingView {
    let user_classes = |e: &Environment| -> Vec<RetentionCell> {
        [DataClass::Conversations, DataClass::Files]
            .iter()
            .map(|c| retention_cell(*c, e.retention.get(c)))
            .collect()
    };
    let twin = env.twin.as_ref().and_then(|t| model.environments.get(t));
    let policy = model.access.of(&env.name);
    let admitted: Vec<_> = policy
        .map(|p| p.groups(model).collect())
        .unwrap_or_default();
    OnboardingView {
        header: HEADER,
        charter_version: VERSION,
        platform: platform_view(model),
        environment: env_view(env),
        identity: identity_view(model),
        groups: if admitted.len() <= LISTED_GROUPS {
            admitted
                .iter()
                .map(|(g, share)| OnboardingGroup {
                    name: g.name.clone(),
                    directory: g.directory.clone(),
                    role: g.role.as_str(),
                    models: g.models.iter().cloned().collect(),
                    features: g
                        .features
                        .iter()
                        .map(|f| FeatureView {
                            name: f.clone(),
                            label: feature_label(f),
                        })
                        .collect(),
                    share: share_views(share),
                })
                .collect()
        } else {
            Vec::new()
        },
        group_count: admitted.len(),
        access_policy: policy.map(|p| p.number),
        retention: user_classes(env),
        audit: env.logging.audit_level.map(|level| AuditView {
            level: level.as_str(),
            meaning: match level {
                AuditLevel::None => "Nothing is recorded in an audit log",
                AuditLevel::Metadata => {
                    "Who did what, and when, is recorded in an audit log, without the content"
                }
                AuditLevel::Request => {
                    "Every request, with its content, is recorded in an audit log"
                }
                AuditLevel::RequestResponse => {
                    "Every request and response, with their content, is recorded in an audit log"
                }
            },
        }),
        moderation: env.sdm.as_ref().and_then(|s| s.moderation.clone()),
        storage: storage(env),
        regular_site: env.sdm.as_ref().map(|s| {
            let base = model.environments.get(&s.of);
            let domain = base.and_then(|b| b.domain.clone());
            SiteView {
                name: s.of.clone(),
                url: url(domain.as_deref()),
                domain,
            }
        }),
        sdm_site: twin.map(|t| SdmSiteView {
            name: t.name.clone(),
            domain: t.domain.clone(),
            url: url(t.domain.as_deref()),
            groups: t
                .sdm
                .as_ref()
                .map(|s| group_refs(model, &s.groups))
                .unwrap_or_default(),
            retention: user_classes(t),
            share: t
                .sdm
                .as_ref()
                .map(|s| share_views(&s.share))
                .unwrap_or_default(),
        }),
    }
}
