//! Emit stage, shared by the Katana and access families: Open WebUI's permission
//! model as charter maps onto it (the version targeted, which spec feature and
//! sharing level becomes which user permission, and the environment-wide floor).
//! Pure: groups and levels in, permission keys and values out.

use std::collections::BTreeMap;

use crate::model::ShareLevel;
use crate::model::{Environment, Group, Model};

/// The Open WebUI release whose settings the mapping is written and tested against.
pub(crate) const TARGET_VERSION: &str = "0.11.4";

/// Open WebUI's `MAX_BODY_LOG_SIZE` when unset: bytes of each body an audit entry
/// keeps (`open_webui/env.py`).
pub(crate) const DEFAULT_MAX_BODY_LOG_SIZE: u32 = 2048;

/// The paths the access job's API key may call (`API_KEYS_ALLOWED_ENDPOINTS`; a
/// path or anything under it): the model list, groups, and model access grants.
pub(crate) const ACCESS_JOB_ENDPOINTS: &[&str] =
    &["/api/models", "/api/v1/groups", "/api/v1/models"];

/// `open-webui <version>`: how artifacts name the mapping they follow.
pub(crate) fn target() -> String {
    format!("open-webui {TARGET_VERSION}")
}

/// A spec feature and the Open WebUI user permission that grants it:
/// (feature, permissions section, permission key, environment variable of the default).
pub(crate) const FEATURE_PERMISSIONS: &[(&str, &str, &str, &str)] = &[
    (
        "code-interpreter",
        "features",
        "code_interpreter",
        "USER_PERMISSIONS_FEATURES_CODE_INTERPRETER",
    ),
    ("export", "chat", "export", "USER_PERMISSIONS_CHAT_EXPORT"),
    (
        "file-upload",
        "chat",
        "file_upload",
        "USER_PERMISSIONS_CHAT_FILE_UPLOAD",
    ),
    (
        "image-generation",
        "features",
        "image_generation",
        "USER_PERMISSIONS_FEATURES_IMAGE_GENERATION",
    ),
    (
        "knowledge",
        "workspace",
        "knowledge",
        "USER_PERMISSIONS_WORKSPACE_KNOWLEDGE_ACCESS",
    ),
    (
        "models",
        "workspace",
        "models",
        "USER_PERMISSIONS_WORKSPACE_MODELS_ACCESS",
    ),
    (
        "prompts",
        "workspace",
        "prompts",
        "USER_PERMISSIONS_WORKSPACE_PROMPTS_ACCESS",
    ),
    (
        "temporary-chat",
        "chat",
        "temporary",
        "USER_PERMISSIONS_CHAT_TEMPORARY",
    ),
    (
        "tools",
        "workspace",
        "tools",
        "USER_PERMISSIONS_WORKSPACE_TOOLS_ACCESS",
    ),
    (
        "web-search",
        "features",
        "web_search",
        "USER_PERMISSIONS_FEATURES_WEB_SEARCH",
    ),
];

/// Spec features with no Open WebUI user permission: `chat` is always on, while
/// functions and pipelines are managed by admins only.
pub(crate) const UNMAPPED_FEATURES: &[&str] = &["chat", "functions", "pipelines"];

/// A sharing permission: (share object, permissions section, key, environment
/// variable, the lowest level that turns it on; `None`: never on).
pub(crate) const SHARE_PERMISSIONS: &[(&str, &str, &str, &str, Option<ShareLevel>)] = &[
    (
        "chats",
        "chat",
        "share",
        "USER_PERMISSIONS_CHAT_SHARE",
        Some(ShareLevel::Link),
    ),
    (
        "chats",
        "sharing",
        "public_chats",
        "USER_PERMISSIONS_CHAT_ALLOW_PUBLIC_SHARING",
        Some(ShareLevel::Public),
    ),
    // Links that need no sign-in: no spec level reaches outside the directory.
    (
        "chats",
        "sharing",
        "open_chats",
        "USER_PERMISSIONS_CHAT_ALLOW_OPEN_SHARING",
        None,
    ),
    (
        "knowledge",
        "sharing",
        "knowledge",
        "USER_PERMISSIONS_WORKSPACE_KNOWLEDGE_ALLOW_SHARING",
        Some(ShareLevel::Link),
    ),
    (
        "knowledge",
        "sharing",
        "public_knowledge",
        "USER_PERMISSIONS_WORKSPACE_KNOWLEDGE_ALLOW_PUBLIC_SHARING",
        Some(ShareLevel::Public),
    ),
    (
        "models",
        "sharing",
        "models",
        "USER_PERMISSIONS_WORKSPACE_MODELS_ALLOW_SHARING",
        Some(ShareLevel::Link),
    ),
    (
        "models",
        "sharing",
        "public_models",
        "USER_PERMISSIONS_WORKSPACE_MODELS_ALLOW_PUBLIC_SHARING",
        Some(ShareLevel::Public),
    ),
    (
        "prompts",
        "sharing",
        "prompts",
        "USER_PERMISSIONS_WORKSPACE_PROMPTS_ALLOW_SHARING",
        Some(ShareLevel::Link),
    ),
    (
        "prompts",
        "sharing",
        "public_prompts",
        "USER_PERMISSIONS_WORKSPACE_PROMPTS_ALLOW_PUBLIC_SHARING",
        Some(ShareLevel::Public),
    ),
    (
        "tools",
        "sharing",
        "tools",
        "USER_PERMISSIONS_WORKSPACE_TOOLS_ALLOW_SHARING",
        Some(ShareLevel::Link),
    ),
    (
        "tools",
        "sharing",
        "public_tools",
        "USER_PERMISSIONS_WORKSPACE_TOOLS_ALLOW_PUBLIC_SHARING",
        Some(ShareLevel::Public),
    ),
];

/// The server-enforced access-grant permissions: (permissions section, key,
/// environment variable of the default, the lowest level that turns it on). They
/// cover every object in [`crate::spec::GRANT_OBJECTS`] at once: `link` shares
/// with named users, `group` with groups.
pub(crate) const GRANT_PERMISSIONS: &[(&str, &str, &str, ShareLevel)] = &[
    (
        "access_grants",
        "allow_users",
        "USER_PERMISSIONS_ACCESS_GRANTS_ALLOW_USERS",
        ShareLevel::Link,
    ),
    (
        "access_grants",
        "allow_groups",
        "USER_PERMISSIONS_ACCESS_GRANTS_ALLOW_GROUPS",
        ShareLevel::Group,
    ),
];

/// The level Open WebUI's server lets a group share every workspace object at: the
/// highest of its workspace objects' levels (an unset object counts as `none`).
/// `public` is enforced per object (`sharing.public_*`), so it counts as `group`.
pub(crate) fn grant_level(share: &BTreeMap<String, ShareLevel>) -> ShareLevel {
    crate::spec::GRANT_OBJECTS
        .iter()
        .filter_map(|o| share.get(*o).copied())
        .map(|l| l.min(ShareLevel::Group))
        .max()
        .unwrap_or(ShareLevel::None)
}

/// Whether a sharing permission is on at `level`.
fn share_on(level: ShareLevel, threshold: Option<ShareLevel>) -> bool {
    threshold.is_some_and(|t| level >= t)
}

/// The Open WebUI permissions object of one group in one environment: section →
/// key → granted. Every mapped key is present, so the object says exactly what the
/// spec grants (Open WebUI adds it to the environment's defaults by union).
pub(crate) fn group_permissions(
    group: &Group,
    share: &BTreeMap<String, ShareLevel>,
) -> BTreeMap<&'static str, BTreeMap<&'static str, bool>> {
    let mut out: BTreeMap<&'static str, BTreeMap<&'static str, bool>> = BTreeMap::new();
    for (feature, section, key, _) in FEATURE_PERMISSIONS {
        out.entry(section)
            .or_default()
            .insert(key, group.features.contains(*feature));
    }
    for (object, section, key, _, threshold) in SHARE_PERMISSIONS {
        let level = share.get(*object).copied().unwrap_or(ShareLevel::None);
        out.entry(section)
            .or_default()
            .insert(key, share_on(level, *threshold));
    }
    let granted = grant_level(share);
    for (section, key, _, threshold) in GRANT_PERMISSIONS {
        out.entry(section)
            .or_default()
            .insert(key, granted >= *threshold);
    }
    out
}

/// The environment-wide defaults (`USER_PERMISSIONS_*`): Open WebUI gives every
/// signed-in user the defaults *plus* the union of their groups' permissions, so a
/// default is a floor. A permission is on by default only when every group that may
/// sign in has it (the least permissive group decides); an object a group's `share`
/// leaves unset counts as `none`. With no group at all, everything is off.
pub(crate) fn default_permissions(
    model: &Model,
    env: &Environment,
) -> BTreeMap<&'static str, bool> {
    let admitted = admitted_with_share(model, env);
    let mut out = BTreeMap::new();
    for (feature, _, _, var) in FEATURE_PERMISSIONS {
        let on =
            !admitted.is_empty() && admitted.iter().all(|(g, _)| g.features.contains(*feature));
        out.insert(*var, on);
    }
    for (object, _, _, var, threshold) in SHARE_PERMISSIONS {
        let floor = admitted
            .iter()
            .map(|(_, share)| share.get(*object).copied().unwrap_or(ShareLevel::None))
            .min()
            .unwrap_or(ShareLevel::None);
        out.insert(*var, share_on(floor, *threshold));
    }
    let floor = admitted
        .iter()
        .map(|(_, share)| grant_level(share))
        .min()
        .unwrap_or(ShareLevel::None);
    for (_, _, var, threshold) in GRANT_PERMISSIONS {
        out.insert(*var, floor >= *threshold);
    }
    out
}

/// What an Open WebUI site's settings take from its access policy: the defaults
/// (`default_permissions`) and who may sign in and be admin (`sign_in_roles`). The
/// same for every environment of one policy, so computed once per policy.
pub(crate) struct SiteAccess {
    pub defaults: BTreeMap<&'static str, bool>,
    pub allowed: Vec<String>,
    pub admins: Vec<String>,
}

impl SiteAccess {
    pub(crate) fn of(model: &Model, env: &Environment) -> Self {
        let (allowed, admins) = sign_in_roles(model, env);
        SiteAccess {
            defaults: default_permissions(model, env),
            allowed,
            admins,
        }
    }
}

/// The groups admitted to `env` with their effective sharing there, from its
/// access policy (derived once in the model, not per environment and group).
fn admitted_with_share<'m>(
    model: &'m Model,
    env: &Environment,
) -> Vec<(&'m Group, &'m BTreeMap<String, ShareLevel>)> {
    model
        .access
        .of(&env.name)
        .map(|p| p.groups(model).collect())
        .unwrap_or_default()
}

/// The sharing level per object that every one of `shares` (the effective sharing
/// of each admitted group) has at least; `none` with no group at all.
pub(crate) fn share_floor(
    shares: &[&BTreeMap<String, ShareLevel>],
) -> BTreeMap<&'static str, ShareLevel> {
    crate::spec::SHARE_OBJECTS
        .iter()
        .map(|object| {
            let floor = shares
                .iter()
                .map(|share| share.get(*object).copied().unwrap_or(ShareLevel::None))
                .min()
                .unwrap_or(ShareLevel::None);
            (*object, floor)
        })
        .collect()
}

/// Directory groups whose members may sign in to `env`, and those among them that
/// make their members admins (for `OAUTH_ALLOWED_ROLES` / `OAUTH_ADMIN_ROLES`).
/// Admin groups are admitted everywhere (`model::may_sign_in`), so the declared
/// admins stay admins on every site, twins included: Open WebUI recomputes the
/// role at each sign-in and would demote an admin whose group is not listed.
/// Groups without a directory binding cannot appear in a token and are left out;
/// so are `pending` groups (Open WebUI's role management can only grant `user` or
/// `admin`).
pub(crate) fn sign_in_roles(model: &Model, env: &Environment) -> (Vec<String>, Vec<String>) {
    sign_in_roles_of(admitted_with_share(model, env).into_iter().map(|(g, _)| g))
}

/// [`sign_in_roles`] of the given admitted groups.
pub(crate) fn sign_in_roles_of<'m>(
    groups: impl IntoIterator<Item = &'m Group>,
) -> (Vec<String>, Vec<String>) {
    let mut allowed = Vec::new();
    let mut admins = Vec::new();
    for group in groups {
        let Some(directory) = &group.directory else {
            continue;
        };
        match group.role {
            crate::spec::Role::Pending => {}
            crate::spec::Role::User => allowed.push(directory.clone()),
            crate::spec::Role::Admin => {
                allowed.push(directory.clone());
                admins.push(directory.clone());
            }
        }
    }
    allowed.sort();
    allowed.dedup();
    admins.sort();
    admins.dedup();
    (allowed, admins)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_turn_permissions_on_from_their_threshold() {
        assert!(!share_on(ShareLevel::None, Some(ShareLevel::Link)));
        assert!(share_on(ShareLevel::Link, Some(ShareLevel::Link)));
        assert!(share_on(ShareLevel::Group, Some(ShareLevel::Link)));
        assert!(!share_on(ShareLevel::Group, Some(ShareLevel::Public)));
        assert!(share_on(ShareLevel::Public, Some(ShareLevel::Public)));
        assert!(!share_on(ShareLevel::Public, None));
    }

    #[test]
    fn every_spec_feature_is_mapped_or_listed_as_unmapped() {
        for feature in crate::spec::FEATURES {
            let mapped = FEATURE_PERMISSIONS.iter().any(|(f, ..)| f == feature);
            let unmapped = UNMAPPED_FEATURES.contains(feature);
            assert!(mapped != unmapped, "{feature}");
        }
    }
}
