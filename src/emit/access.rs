//! Emit stage: the intended Open WebUI group grants (only for specs with an
//! `open-webui` app). Open WebUI cannot take groups or their permissions from its
//! environment, so these files are for an admin job to apply through Open WebUI's
//! API. What is the same everywhere is written once and referenced:
//!
//! - `access/shared/groups.json`: every group's definition (directory binding,
//!   lineage, role, model patterns, features);
//! - `access/shared/policy-<n>.json`: one per access policy of the model (the
//!   environments with identical grants): the groups that may sign in, the
//!   sharing and permissions each has there, and each model pattern's groups, so a
//!   model's grants are sent as one union;
//! - `access/<env>.json`: per deployed environment (SDM twins included): where and
//!   how to apply (site, credential, sign-in) and which policy applies.
//!
//! The output grows with groups plus environments plus policies × groups, never
//! with environments × groups.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::emit::open_webui::{
    ACCESS_JOB_ENDPOINTS, UNMAPPED_FEATURES, group_permissions, share_floor, sign_in_roles_of,
    target,
};
use crate::emit::{Artifact, Context, EmitError, katana};
use crate::id::{NodeId, NodeKind};
use crate::model::{AccessPolicy, AppKind, Role, SHARE_OBJECTS, ShareLevel};
use crate::model::{Environment, Group, Model};

/// The files' formats (`format:` in each).
const FORMAT: &str = "access/v2";
const GROUPS_FORMAT: &str = "access-groups/v1";
const POLICY_FORMAT: &str = "access-policy/v1";

const SCHEMA: &str = "access.schema.json";
const GROUPS_SCHEMA: &str = "access-groups.schema.json";
const POLICY_SCHEMA: &str = "access-policy.schema.json";

/// Where the shared files live, relative to `access/`. Environment files sit in
/// `access/` itself, so no environment name can collide with a shared file.
const GROUPS_FILE: &str = "shared/groups.json";

/// The Open WebUI API calls the job makes.
const CREATE_GROUP: &str = "POST /api/v1/groups/create";
const UPDATE_GROUP: &str = "POST /api/v1/groups/id/{id}/update";
const GRANT_MODEL: &str = "POST /api/v1/models/model/access/update";

const NOTE: &str = "Open WebUI cannot take groups or their grants from environment variables (only from its UI, API, SCIM or OAuth group sync), so charter cannot set them in the Katana descriptor. An admin job applies this environment's access policy (`policy`: a file shared by every environment with the same grants) through the API at `url`, authenticating with `credential`; the groups' definitions are in `groups`. The environment-wide defaults (the floor every group has) are already set by the Katana descriptor.";

const POLICY_NOTE: &str = "The Open WebUI grants of every environment in `environments`. For each entry of `grants`, create or update the Open WebUI group named `open_webui_group` (it must equal the directory group: OAuth group management syncs members by that name) with its `permissions`. Model read access: `POST /api/v1/models/model/access/update` replaces every grant of a model, so it is never called per group: for each model id on the site, send one call whose `access_grants` hold {\"principal_type\": \"group\", \"principal_id\": <the Open WebUI group's id>, \"permission\": \"read\"} for every group of every `model_grants` pattern the id matches (`*` matches any characters) and no other read grant (none for a model no pattern matches); write grants, which name a workspace model's editors, are kept. `charter apply open-webui` does exactly this.";

const GROUPS_NOTE: &str = "Every group of the spec, once: its directory binding, inheritance chain, role, model patterns and features. Which groups may sign in to an environment, and what each may share there, is in that environment's access policy (`shared/policy-<n>.json`, named by `access/<env>.json`).";

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
    /// The environment's access policy file, relative to `access/`.
    policy: String,
    /// The groups' definitions, relative to `access/`.
    groups: &'static str,
    apply: Apply,
    credential: Option<Credential<'m>>,
    sign_in: SignIn<'m>,
}

/// The Open WebUI API calls that apply the policy.
#[derive(Serialize)]
struct Apply {
    create_group: &'static str,
    update_group: &'static str,
    grant_model: &'static str,
}

const APPLY: Apply = Apply {
    create_group: CREATE_GROUP,
    update_group: UPDATE_GROUP,
    grant_model: GRANT_MODEL,
};

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
    /// Only members of the policy's `allowed_directory_groups` may sign in.
    restricted: bool,
}

#[derive(Serialize)]
struct Definitions<'m> {
    #[serde(rename = "_note")]
    note: &'static str,
    format: &'static str,
    mapping: String,
    platform: &'m str,
    groups: Vec<GroupOut<'m>>,
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
}

#[derive(Serialize)]
struct PolicyOut<'m> {
    #[serde(rename = "_note")]
    note: &'static str,
    format: &'static str,
    mapping: String,
    platform: &'m str,
    policy: usize,
    environments: &'m [String],
    apply: Apply,
    sign_in: PolicySignIn,
    defaults: Defaults,
    grants: Vec<GrantOut<'m>>,
    model_grants: Vec<ModelGrant<'m>>,
}

/// Who may sign in under the policy (role management).
#[derive(Serialize)]
struct PolicySignIn {
    allowed_directory_groups: Vec<String>,
    admin_directory_groups: Vec<String>,
}

/// What every signed-in user gets: the least any admitted group has.
#[derive(Serialize)]
struct Defaults {
    share: BTreeMap<&'static str, ShareLevel>,
}

#[derive(Serialize)]
struct GrantOut<'m> {
    group: &'m str,
    open_webui_group: &'m str,
    /// Every share object; a twin's `sdm share` wins over the group's own level.
    share: BTreeMap<&'static str, ShareLevel>,
    permissions: BTreeMap<&'static str, BTreeMap<&'static str, bool>>,
}

/// A model-id pattern and every admitted group that may read the models it
/// matches.
#[derive(Serialize)]
struct ModelGrant<'m> {
    pattern: &'m str,
    open_webui_groups: BTreeSet<&'m str>,
}

pub(crate) fn emit(model: &Model, _context: &Context) -> Result<Vec<Artifact>, EmitError> {
    if !model.apps.values().any(|a| a.kind.0 == AppKind::OpenWebui) {
        return Ok(Vec::new());
    }
    let mut out = vec![groups(model)?];
    for policy in model.access.iter() {
        out.push(policy_file(model, policy)?);
    }
    for env in model.environments.values() {
        out.push(access(model, env)?);
    }
    Ok(out)
}

/// `shared/policy-<n>.json`, relative to `access/`.
fn policy_path(number: usize) -> String {
    format!("shared/policy-{number}.json")
}

/// The Open WebUI group a charter group becomes: the directory group's name,
/// because OAuth group management syncs members by name.
fn open_webui_group(g: &Group) -> &str {
    g.directory.as_deref().unwrap_or(&g.name)
}

fn groups(model: &Model) -> Result<Artifact, EmitError> {
    let file = Definitions {
        note: GROUPS_NOTE,
        format: GROUPS_FORMAT,
        mapping: target(),
        platform: &model.platform.name,
        groups: model.groups.values().map(group).collect(),
    };
    let mut nodes = vec![model.platform.id()];
    nodes.extend(model.groups.values().map(Group::id));
    Ok(Artifact::json(format!("access/{GROUPS_FILE}"), &file)?
        .from_nodes(nodes)
        .schema(GROUPS_SCHEMA))
}

fn group(g: &Group) -> GroupOut<'_> {
    GroupOut {
        name: &g.name,
        open_webui_group: open_webui_group(g),
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
    }
}

fn policy_file(model: &Model, policy: &AccessPolicy) -> Result<Artifact, EmitError> {
    let admitted: Vec<_> = policy.groups(model).collect();
    let (allowed, admins) = sign_in_roles_of(admitted.iter().map(|(g, _)| *g));
    let mut model_grants: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (g, _) in &admitted {
        for pattern in &g.models {
            model_grants
                .entry(pattern)
                .or_default()
                .insert(open_webui_group(g));
        }
    }
    let file = PolicyOut {
        note: POLICY_NOTE,
        format: POLICY_FORMAT,
        mapping: target(),
        platform: &model.platform.name,
        policy: policy.number,
        environments: &policy.environments,
        apply: APPLY,
        sign_in: PolicySignIn {
            allowed_directory_groups: allowed,
            admin_directory_groups: admins,
        },
        defaults: Defaults {
            share: share_floor(&admitted.iter().map(|(_, share)| *share).collect::<Vec<_>>()),
        },
        grants: admitted
            .iter()
            .map(|(g, share)| GrantOut {
                group: &g.name,
                open_webui_group: open_webui_group(g),
                share: SHARE_OBJECTS
                    .iter()
                    .map(|o| (*o, share.get(*o).copied().unwrap_or(ShareLevel::None)))
                    .collect(),
                permissions: group_permissions(g, share),
            })
            .collect(),
        model_grants: model_grants
            .into_iter()
            .map(|(pattern, open_webui_groups)| ModelGrant {
                pattern,
                open_webui_groups,
            })
            .collect(),
    };
    let mut nodes = vec![model.platform.id()];
    nodes.extend(admitted.iter().map(|(g, _)| g.id()));
    let envs = || {
        policy
            .environments
            .iter()
            .filter_map(|e| model.environments.get(e))
    };
    nodes.extend(envs().map(Environment::id));
    if envs().any(|e| e.sdm.is_some()) {
        nodes.push(NodeId::singleton(NodeKind::Sdm));
    }
    Ok(
        Artifact::json(format!("access/{}", policy_path(policy.number)), &file)?
            .from_nodes(nodes)
            .schema(POLICY_SCHEMA),
    )
}

fn access(model: &Model, env: &Environment) -> Result<Artifact, EmitError> {
    let url = model
        .apps
        .values()
        .filter(|a| a.kind.0 == AppKind::OpenWebui)
        .find_map(|a| katana::public_domain(model, env, a))
        .map(|d| format!("https://{d}"));
    let identity = model.identity.as_ref();
    let policy = model.access.of(&env.name);
    let (allowed, _) = sign_in_roles_of(
        policy
            .into_iter()
            .flat_map(|p| p.groups(model).map(|(g, _)| g)),
    );
    let credential = identity
        .and_then(|i| i.admin_key.as_deref())
        .and_then(|name| env.secrets.get_key_value(name));
    let mut nodes = vec![env.id(), model.platform.id()];
    nodes.extend(identity.map(crate::model::Identity::id));
    nodes.extend(credential.map(|(_, secret)| secret.declared.clone()));
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
        policy: policy.map_or_else(String::new, |p| policy_path(p.number)),
        groups: GROUPS_FILE,
        apply: APPLY,
        credential: credential.map(|(name, secret)| Credential {
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
        },
    };
    Ok(Artifact::json(format!("access/{}.json", env.name), &file)?
        .from_nodes(nodes)
        .schema(SCHEMA))
}
