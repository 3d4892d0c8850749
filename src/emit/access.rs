//! Emit stage: `access/<env>.json`, the intended Open WebUI group grants of each
//! deployed environment (SDM twins included; only for specs with an `open-webui`
//! app). Open WebUI cannot take groups or their permissions from its environment,
//! so this file is for an admin job to apply through Open WebUI's API: the groups
//! that may sign in, their directory bindings, role, model patterns, features and
//! effective sharing, and the permissions object each group gets.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::emit::open_webui::{
    ACCESS_JOB_ENDPOINTS, UNMAPPED_FEATURES, group_permissions, share_floor, sign_in_roles, target,
};
use crate::emit::{Artifact, Context, EmitError, katana};
use crate::id::{NodeId, NodeKind};
use crate::model::{AppKind, Role, SHARE_OBJECTS, ShareLevel};
use crate::model::{Environment, Group, Model};
use crate::model::{admitted, effective_share};

/// The file format's name and version (`format:` in every file).
const FORMAT: &str = "access/v1";

const SCHEMA: &str = "access.schema.json";

const NOTE: &str = "Open WebUI cannot take groups or their grants from environment variables (only from its UI, API, SCIM or OAuth group sync), so charter cannot set them in the Katana descriptor. An admin job applies this file through the API: for each group, create the Open WebUI group named `open_webui_group` (it must equal the directory group: OAuth group management syncs members by that name) with its `permissions`, then grant the group read access to every model whose id matches one of its `models` patterns. The environment-wide defaults (the floor every group has) are already set by the Katana descriptor.";

#[derive(Serialize)]
struct Access<'m> {
    #[serde(rename = "_note")]
    note: &'static str,
    format: &'static str,
    mapping: String,
    platform: &'m str,
    environment: &'m str,
    twin_of: Option<&'m str>,
    url: Option<String>,
    apply: Apply,
    credential: Option<Credential<'m>>,
    sign_in: SignIn<'m>,
    defaults: Defaults,
    groups: Vec<GroupOut<'m>>,
}

/// The Open WebUI API calls that apply the file.
#[derive(Serialize)]
struct Apply {
    create_group: &'static str,
    update_group: &'static str,
    grant_model: &'static str,
}

/// How the access job authenticates: an admin's API key from the secret store.
#[derive(Serialize)]
struct Credential<'m> {
    secret: &'m str,
    store: crate::model::SecretStore,
    path: &'m str,
    header: &'static str,
    allowed_endpoints: &'static [&'static str],
}

#[derive(Serialize)]
struct SignIn<'m> {
    identity: Option<&'m str>,
    group_claim: Option<&'m str>,
    /// Only members of `allowed_directory_groups` may sign in (role management).
    restricted: bool,
    allowed_directory_groups: Vec<String>,
    admin_directory_groups: Vec<String>,
}

/// What every signed-in user gets: the least any admitted group has.
#[derive(Serialize)]
struct Defaults {
    share: BTreeMap<&'static str, ShareLevel>,
}

#[derive(Serialize)]
struct GroupOut<'m> {
    name: &'m str,
    open_webui_group: &'m str,
    directory: Option<&'m str>,
    description: String,
    lineage: &'m [String],
    role: Role,
    models: Vec<&'m str>,
    features: Vec<&'m str>,
    /// Spec features with no Open WebUI user permission (always on, or admin-only).
    unmapped_features: Vec<&'m str>,
    /// Every share object; a twin's `sdm share` wins over the group's own level.
    share: BTreeMap<&'static str, ShareLevel>,
    permissions: BTreeMap<&'static str, BTreeMap<&'static str, bool>>,
}

pub(crate) fn emit(model: &Model, _context: &Context) -> Result<Vec<Artifact>, EmitError> {
    if !model.apps.values().any(|a| a.kind.0 == AppKind::OpenWebui) {
        return Ok(Vec::new());
    }
    model
        .environments
        .values()
        .map(|env| access(model, env))
        .collect()
}

fn access(model: &Model, env: &Environment) -> Result<Artifact, EmitError> {
    let url = model
        .apps
        .values()
        .filter(|a| a.kind.0 == AppKind::OpenWebui)
        .find_map(|a| katana::public_domain(model, env, a))
        .map(|d| format!("https://{d}"));
    let (allowed, admins) = sign_in_roles(model, env);
    let identity = model.identity.as_ref();
    let groups: Vec<GroupOut> = admitted(model, env).map(|g| group(env, g)).collect();
    let mut nodes = vec![env.id(), model.platform.id()];
    nodes.extend(identity.map(crate::model::Identity::id));
    nodes.extend(groups.iter().map(|g| NodeId::new(NodeKind::Group, g.name)));
    if env.sdm.is_some() {
        nodes.push(NodeId::singleton(NodeKind::Sdm));
    }
    let file = Access {
        note: NOTE,
        format: FORMAT,
        mapping: target(),
        platform: &model.platform.name,
        environment: &env.name,
        twin_of: env.sdm.as_ref().map(|t| t.of.as_str()),
        url,
        apply: Apply {
            create_group: "POST /api/v1/groups/create",
            update_group: "POST /api/v1/groups/id/{id}/update",
            grant_model: "POST /api/v1/models/model/access/update",
        },
        credential: identity
            .and_then(|i| i.admin_key.as_deref())
            .and_then(|name| env.secrets.get_key_value(name))
            .map(|(name, secret)| Credential {
                secret: name,
                store: secret.store,
                path: &secret.path,
                header: "Authorization: Bearer <key>",
                allowed_endpoints: ACCESS_JOB_ENDPOINTS,
            }),
        sign_in: SignIn {
            identity: identity.map(|i| i.name.as_str()),
            group_claim: identity.map(|i| i.group_claim.as_str()),
            restricted: identity.is_some() && !allowed.is_empty(),
            allowed_directory_groups: allowed,
            admin_directory_groups: admins,
        },
        defaults: Defaults {
            share: share_floor(model, env),
        },
        groups,
    };
    Ok(Artifact::json(format!("access/{}.json", env.name), &file)?
        .from_nodes(nodes)
        .schema(SCHEMA))
}

fn group<'m>(env: &Environment, g: &'m Group) -> GroupOut<'m> {
    let share = effective_share(env, g);
    GroupOut {
        name: &g.name,
        open_webui_group: g.directory.as_deref().unwrap_or(&g.name),
        directory: g.directory.as_deref(),
        description: match &g.directory {
            Some(d) => format!("charter group `{}`: members of directory group {d}", g.name),
            None => format!(
                "charter group `{}`: no directory binding, members are added by hand",
                g.name
            ),
        },
        lineage: &g.lineage,
        role: g.role,
        models: g.models.iter().map(String::as_str).collect(),
        features: g.features.iter().map(String::as_str).collect(),
        unmapped_features: g
            .features
            .iter()
            .map(String::as_str)
            .filter(|f| UNMAPPED_FEATURES.contains(f))
            .collect(),
        share: SHARE_OBJECTS
            .iter()
            .map(|o| (*o, share.get(*o).copied().unwrap_or(ShareLevel::None)))
            .collect(),
        permissions: group_permissions(env, g),
    }
}
