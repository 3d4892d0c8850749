//! Emit stage, Katana family: the variables, secret references and hooks charter
//! derives for an app from the rest of the spec (identity, groups, SDM, logging,
//! scale, resources, the apps it needs). Open WebUI settings follow the release in
//! `emit::open_webui::TARGET_VERSION`; `docs/katana.md` explains every line.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::emit::open_webui::SiteAccess;
use crate::id::{NodeId, NodeKind};
use crate::model::{App, Environment, Model};
use crate::model::{AppKind, AuditLevel, ResourceKind};

/// What the Pipelines mapping follows: the upstream server's `start.sh` and `main.py`.
pub(crate) const PIPELINES_TARGET: &str = "open-webui-pipelines main";

/// The variable Pipelines reads its API key from (and that marks an app's key).
const PIPELINES_KEY_VAR: &str = "PIPELINES_API_KEY";

/// Open WebUI's scopes for Okta-style OIDC with a groups claim.
const OAUTH_SCOPES: &str = "openid email profile groups";

/// A secret an app receives as an environment variable.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum SecretEntry {
    /// One secret, as one variable. `derived`: charter adds it (the spec's secret
    /// does not name this app and variable itself).
    Single {
        env: String,
        secret: String,
        derived: bool,
    },
    /// Several secrets joined by `separator` into one variable, in order (always
    /// derived): `OPENAI_API_KEYS`, aligned by index with `OPENAI_API_BASE_URLS`.
    Joined {
        env: String,
        separator: &'static str,
        parts: Vec<String>,
    },
}

impl SecretEntry {
    pub(crate) fn env(&self) -> &str {
        match self {
            Self::Single { env, .. } | Self::Joined { env, .. } => env,
        }
    }

    /// The secrets it reads, by name.
    pub(crate) fn secrets(&self) -> Vec<&str> {
        match self {
            Self::Single { secret, .. } => vec![secret.as_str()],
            Self::Joined { parts, .. } => parts.iter().map(String::as_str).collect(),
        }
    }

    pub(crate) fn is_derived(&self) -> bool {
        match self {
            Self::Single { derived, .. } => *derived,
            Self::Joined { .. } => true,
        }
    }
}

/// A one-off job run in the app's image, with the app's variables and secrets
/// overridden by `env`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Hook {
    name: &'static str,
    command: Vec<&'static str>,
    env: BTreeMap<&'static str, &'static str>,
    replicas: u32,
}

/// What charter derives for one app in one environment.
#[derive(Debug, Default)]
pub(crate) struct Derived {
    pub env: BTreeMap<String, String>,
    pub hooks: Vec<Hook>,
    /// Spec nodes the derived values come from (provenance).
    pub nodes: Vec<NodeId>,
}

impl Derived {
    fn set(&mut self, key: &str, value: impl Into<String>) {
        self.env.insert(key.to_string(), value.into());
    }

    fn flag(&mut self, key: &str, on: bool) {
        self.set(key, if on { "true" } else { "false" });
    }
}

pub(crate) fn derive(model: &Model, env: &Environment, app: &App, site: &SiteAccess) -> Derived {
    let mut d = Derived::default();
    match app.kind.0 {
        AppKind::OpenWebui => open_webui(model, env, app, site, &mut d),
        AppKind::OpenWebuiPipelines => pipelines(env, app, &mut d),
        AppKind::Container => {}
    }
    d
}

/// Every secret `app` receives in `env`: the spec's secrets that name it as a
/// consumer (under their own variable), then what charter adds, sorted by variable.
pub(crate) fn secret_entries(model: &Model, env: &Environment, app: &App) -> Vec<SecretEntry> {
    // The admin API key is the access job's (access/<env>.json): never injected.
    let admin_key = model.identity.as_ref().and_then(|i| i.admin_key.as_ref());
    let mut out: Vec<SecretEntry> = env
        .secrets
        .iter()
        .filter(|(name, _)| Some(*name) != admin_key)
        .filter(|(_, s)| s.consumers.contains(&app.name))
        .map(|(name, s)| SecretEntry::Single {
            env: s.env.clone(),
            secret: name.clone(),
            derived: false,
        })
        .collect();
    if app.kind.0 == AppKind::OpenWebui {
        let client_secret = model
            .identity
            .as_ref()
            .and_then(|i| i.client_secret.as_ref())
            .filter(|name| env.secrets.contains_key(*name));
        if let Some(name) = client_secret {
            let entry = SecretEntry::Single {
                env: "OAUTH_CLIENT_SECRET".to_string(),
                secret: name.clone(),
                derived: true,
            };
            if !out
                .iter()
                .any(|e| e.env() == entry.env() && e.secrets() == entry.secrets())
            {
                out.push(entry);
            }
        }
        let parts: Vec<String> = connections(model, env, app)
            .into_iter()
            .map(|(_, _, secret)| secret)
            .collect();
        if !parts.is_empty() {
            out.push(SecretEntry::Joined {
                env: "OPENAI_API_KEYS".to_string(),
                separator: ";",
                parts,
            });
        }
    }
    out.sort_by(|a, b| a.env().cmp(b.env()).then_with(|| a.cmp(b)));
    out
}

/// The Pipelines servers an Open WebUI app connects to: the `open-webui-pipelines`
/// apps it needs that have an API key secret in `env`, by name, as (app, internal
/// URL, key secret).
fn connections<'m>(
    model: &'m Model,
    env: &Environment,
    app: &App,
) -> Vec<(&'m App, String, String)> {
    app.needs
        .iter()
        .filter_map(|name| model.apps.get(name))
        .filter(|p| p.kind.0 == AppKind::OpenWebuiPipelines)
        .filter_map(|p| {
            let url = super::private_url(p, &env.name)?;
            let key = env
                .secrets
                .iter()
                .find(|(_, s)| s.env == PIPELINES_KEY_VAR && s.consumers.contains(&p.name))
                .map(|(name, _)| name.clone())?;
            Some((p, url, key))
        })
        .collect()
}

/// A session lifetime as Open WebUI's `parse_duration` reads it (`8h`, `90m`,
/// `45s`): the largest unit that divides it.
fn session_duration(seconds: u64) -> String {
    if seconds.is_multiple_of(3600) {
        format!("{}h", seconds / 3600)
    } else if seconds.is_multiple_of(60) {
        format!("{}m", seconds / 60)
    } else {
        format!("{seconds}s")
    }
}

/// `info` → `INFO`, `request-response` → `REQUEST_RESPONSE`.
fn upper(text: &str) -> String {
    text.to_ascii_uppercase().replace('-', "_")
}

fn open_webui(model: &Model, env: &Environment, app: &App, site: &SiteAccess, d: &mut Derived) {
    let scale = env.scales.get(&app.name);
    let replicated = scale.is_some_and(|s| s.max > 1);
    let domain = super::public_domain(model, env, app);

    // The public URL: OAuth needs it before the first sign-in.
    if let Some(domain) = &domain {
        d.set("WEBUI_URL", format!("https://{domain}"));
        d.set("CORS_ALLOW_ORIGIN", format!("https://{domain}"));
        d.flag("WEBUI_SESSION_COOKIE_SECURE", true);
        d.flag("WEBUI_AUTH_COOKIE_SECURE", true);
    }

    // Sign-in: OIDC only, groups from the token, roles from the directory groups.
    if let Some(identity) = &model.identity {
        d.nodes.push(identity.id());
        d.set(
            "OPENID_PROVIDER_URL",
            format!(
                "{}/.well-known/openid-configuration",
                identity.issuer.trim_end_matches('/')
            ),
        );
        d.set("OAUTH_CLIENT_ID", identity.client_id.clone());
        d.set("OAUTH_SCOPES", OAUTH_SCOPES);
        d.set("OAUTH_PROVIDER_NAME", identity.name.clone());
        if let Some(domain) = &domain {
            d.set(
                "OPENID_REDIRECT_URI",
                format!("https://{domain}/oauth/oidc/callback"),
            );
        }
        // The code reads OAUTH_GROUPS_CLAIM first, then OAUTH_GROUP_CLAIM: set both.
        d.set("OAUTH_GROUP_CLAIM", identity.group_claim.clone());
        d.set("OAUTH_GROUPS_CLAIM", identity.group_claim.clone());
        d.flag("ENABLE_OAUTH_SIGNUP", true);
        d.flag("ENABLE_LOGIN_FORM", false);
        d.flag("ENABLE_PASSWORD_AUTH", false);
        d.flag("ENABLE_OAUTH_GROUP_MANAGEMENT", true);
        // Groups are created, with their grants, by `charter apply open-webui` (access/).
        d.flag("ENABLE_OAUTH_GROUP_CREATION", false);
        let (allowed, admins) = (&site.allowed, &site.admins);
        if !allowed.is_empty() {
            d.flag("ENABLE_OAUTH_ROLE_MANAGEMENT", true);
            d.set("OAUTH_ROLES_CLAIM", identity.group_claim.clone());
            d.set("OAUTH_ALLOWED_ROLES", allowed.join(","));
            // Empty is meaningful: no directory group makes admins (the default is `admin`).
            d.set("OAUTH_ADMIN_ROLES", admins.join(","));
            // A token without the groups claim skips the role check and lands on the
            // default role: `pending` (no access until an admin approves), never `user`.
            d.set("DEFAULT_USER_ROLE", "pending");
        }
        // How long a session lasts, so a user removed from the directory loses
        // access at most this long after (upstream's default is four weeks).
        d.set("JWT_EXPIRES_IN", session_duration(identity.session_seconds));
        // The access job authenticates with an admin's API key (the identity's
        // `admin-key` secret); only admins may hold keys, and only for the calls
        // the job makes.
        if identity.admin_key.is_some() {
            d.flag("ENABLE_API_KEYS", true);
            d.flag("USER_PERMISSIONS_FEATURES_API_KEYS", false);
            d.flag("ENABLE_API_KEYS_ENDPOINT_RESTRICTIONS", true);
            d.set(
                "API_KEYS_ALLOWED_ENDPOINTS",
                crate::emit::open_webui::ACCESS_JOB_ENDPOINTS.join(","),
            );
        }
        if let Some(policy) = model.access.of(&env.name) {
            let admitted: Vec<_> = policy.groups(model).map(|(g, _)| g).collect();
            d.nodes.extend(crate::emit::manifest::group_sources(
                model,
                admitted.into_iter(),
            ));
        }
    }

    // The database is the source of truth only for what charter cannot set.
    d.flag("ENABLE_PERSISTENT_CONFIG", false);
    // Migrations run once, in the before-rollout hook, never in the serving replicas.
    d.flag("ENABLE_DB_MIGRATIONS", false);
    d.hooks.push(Hook {
        name: "db-migrations",
        command: vec!["python", "-c", "import open_webui.config"],
        env: BTreeMap::from([("ENABLE_DB_MIGRATIONS", "true")]),
        replicas: 1,
    });

    // Several replicas share sessions and websockets through Redis and vectors
    // through Postgres (Chroma is a local file).
    if replicated {
        d.set("WEBSOCKET_MANAGER", "redis");
        d.flag("ENABLE_WEBSOCKET_SUPPORT", true);
        let elasticache = app
            .needs
            .iter()
            .filter_map(|n| env.resources.get(n))
            .any(|r| r.kind == ResourceKind::Elasticache);
        if elasticache {
            d.flag("REDIS_CLUSTER", true);
        }
        d.set("VECTOR_DB", "pgvector");
    }

    // Uploaded files in the environment's bucket (credentials from the task role).
    let bucket = app
        .needs
        .iter()
        .filter_map(|n| env.resources.get(n))
        .find(|r| r.kind == ResourceKind::S3);
    if let Some(bucket) = bucket {
        d.set("STORAGE_PROVIDER", "s3");
        d.set("S3_BUCKET_NAME", bucket.physical_name.clone());
        if let Some(region) = env.primary_region() {
            d.set("S3_REGION_NAME", region.name.clone());
        }
    }

    // Logs: single-line JSON on stdout; audit to stdout too (the shipper carries it).
    d.set("LOG_FORMAT", "json");
    if let Some(level) = env.logging.app_level {
        d.nodes.push(NodeId::singleton(NodeKind::Logging));
        d.set("GLOBAL_LOG_LEVEL", upper(level.as_str()));
    }
    if let Some(level) = env.logging.audit_level {
        d.nodes.push(NodeId::singleton(NodeKind::Logging));
        d.set("AUDIT_LOG_LEVEL", upper(level.as_str()));
        if level != AuditLevel::None {
            d.flag("ENABLE_AUDIT_STDOUT", true);
            // The file in the container is never pruned and dies with it.
            d.flag("ENABLE_AUDIT_LOGS_FILE", false);
        }
        if level != AuditLevel::None {
            // Upstream excludes /chats,/chat,/folders by default, which matches
            // /api/chat/completions and /api/v1/chats/*: empty means none, so chat
            // activity is audited. (AUDIT_INCLUDED_PATHS would switch to allow-list
            // mode: not wanted.) Reads (GET) of conversations included.
            d.set("AUDIT_EXCLUDED_PATHS", "");
            d.flag("ENABLE_AUDIT_GET_REQUESTS", true);
        }
        if matches!(level, AuditLevel::Request | AuditLevel::RequestResponse) {
            // Bodies are cut at this many bytes (upstream's default when unset).
            d.set(
                "MAX_BODY_LOG_SIZE",
                env.logging
                    .audit_max_body
                    .unwrap_or(crate::emit::open_webui::DEFAULT_MAX_BODY_LOG_SIZE)
                    .to_string(),
            );
        }
    }

    // Access: model grants enforced; defaults are the floor every admitted group has.
    d.flag("BYPASS_MODEL_ACCESS_CONTROL", false);
    d.flag("ENABLE_COMMUNITY_SHARING", false);
    for (var, on) in &site.defaults {
        d.flag(var, *on);
    }

    // The SDM twin: admins cannot read or export users' chats, nor read them through
    // analytics (its router returns message content), nor bypass the access
    // grants of knowledge, models, prompts and tools; no message ratings, whose
    // feedback snapshots hold the chat. What stays open is in the Limits section of
    // docs/policy.md (any file by id, the feedback export of ratings sent anyway).
    if env.sdm.is_some() {
        d.flag("ENABLE_ADMIN_CHAT_ACCESS", false);
        d.flag("ENABLE_ADMIN_EXPORT", false);
        d.flag("ENABLE_ADMIN_ANALYTICS", false);
        d.flag("BYPASS_ADMIN_ACCESS_CONTROL", false);
        d.flag("ENABLE_MESSAGE_RATING", false);
        d.set("DEFAULT_USER_ROLE", "pending");
    }

    // The Pipelines servers, as OpenAI-compatible connections; keys by reference
    // (OPENAI_API_KEYS in `secrets`), aligned by index.
    let connections = connections(model, env, app);
    if !connections.is_empty() {
        d.flag("ENABLE_OPENAI_API", true);
        d.set(
            "OPENAI_API_BASE_URLS",
            connections
                .iter()
                .map(|(_, url, _)| url.as_str())
                .collect::<Vec<_>>()
                .join(";"),
        );
        d.nodes.extend(
            connections
                .iter()
                .map(|(p, ..)| NodeId::new(NodeKind::App, &p.name)),
        );
    }
}

fn pipelines(env: &Environment, app: &App, d: &mut Derived) {
    // Filters fetched at start, in priority order (lower first). On an SDM twin the
    // moderation filter goes first: upstream's start.sh may install only the first.
    let moderation = env.sdm.as_ref().and_then(|t| t.moderation.as_deref());
    let mut filters: Vec<_> = app.filters.iter().collect();
    filters.sort_by(|a, b| {
        let first = |f: &crate::model::Filter| Some(f.name.as_str()) != moderation;
        first(a)
            .cmp(&first(b))
            .then(a.priority.cmp(&b.priority))
            .then_with(|| a.name.cmp(&b.name))
    });
    if !filters.is_empty() {
        d.set(
            "PIPELINES_URLS",
            filters
                .iter()
                .map(|f| f.source.as_str())
                .collect::<Vec<_>>()
                .join(";"),
        );
    }
    if let Some(level) = env.logging.app_level {
        d.nodes.push(NodeId::singleton(NodeKind::Logging));
        d.set("GLOBAL_LOG_LEVEL", upper(level.as_str()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_written_as_upstream_spells_them() {
        assert_eq!(upper("request-response"), "REQUEST_RESPONSE");
        assert_eq!(upper("info"), "INFO");
    }

    #[test]
    fn sessions_are_written_in_the_largest_whole_unit() {
        assert_eq!(session_duration(8 * 3600), "8h");
        assert_eq!(session_duration(90 * 60), "90m");
        assert_eq!(session_duration(45), "45s");
        assert_eq!(session_duration(48 * 3600), "48h");
    }
}
