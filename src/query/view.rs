//! The resolved view of one environment: everything that holds there, in one JSON
//! document (`charter model --env E`; organisation constraints are JSON Schemas
//! checked against it). Its fields are documented in `docs/model.md`; fields are
//! only ever added, an incompatible change bumps `schema`.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::model::{App, Environment, Group, Identity, Model, Platform, Scale};
use crate::query::{admitted, effective_share};
use crate::spec::{Role, ShareLevel};

/// The version of the view's shape.
pub const SCHEMA: u32 = 1;

#[derive(Serialize)]
struct EnvironmentView<'m> {
    schema: u32,
    platform: &'m Platform,
    identity: Option<&'m Identity>,
    environment: &'m Environment,
    apps: BTreeMap<&'m str, AppView<'m>>,
    groups: BTreeMap<&'m str, GroupView<'m>>,
    alerts: Vec<&'m str>,
}

/// An app as it runs in one environment.
#[derive(Serialize)]
struct AppView<'m> {
    #[serde(flatten)]
    app: &'m App,
    scale: Option<&'m Scale>,
    /// The environment's secrets this app consumes, by name.
    secrets: Vec<&'m str>,
}

/// A group that may sign in to the environment, with what it may do there.
#[derive(Serialize)]
struct GroupView<'m> {
    name: &'m str,
    directory: Option<&'m str>,
    lineage: &'m [String],
    role: Role,
    models: &'m BTreeSet<String>,
    features: &'m BTreeSet<String>,
    share: BTreeMap<String, ShareLevel>,
}

/// The view of environment `env` (an SDM twin too), or `None` when the model has no
/// such deployable environment.
///
/// # Panics
///
/// Never: every map in the view has string keys, so serialization cannot fail.
pub fn environment_view(model: &Model, env: &str) -> Option<serde_json::Value> {
    let environment = model.environments.get(env)?;
    let view = EnvironmentView {
        schema: SCHEMA,
        platform: &model.platform,
        identity: model.identity.as_ref(),
        environment,
        apps: model
            .apps
            .iter()
            .map(|(name, app)| {
                let view = AppView {
                    app,
                    scale: environment.scales.get(name),
                    secrets: environment
                        .secrets
                        .iter()
                        .filter(|(_, s)| s.consumers.contains(name))
                        .map(|(secret, _)| secret.as_str())
                        .collect(),
                };
                (name.as_str(), view)
            })
            .collect(),
        groups: admitted(model, environment)
            .map(|g| (g.name.as_str(), group_view(environment, g)))
            .collect(),
        alerts: model
            .alerts
            .values()
            .filter(|a| a.environments.contains(env))
            .map(|a| a.name.as_str())
            .collect(),
    };
    Some(serde_json::to_value(view).expect("the environment view serializes"))
}

fn group_view<'m>(env: &Environment, group: &'m Group) -> GroupView<'m> {
    GroupView {
        name: &group.name,
        directory: group.directory.as_deref(),
        lineage: &group.lineage,
        role: group.role,
        models: &group.models,
        features: &group.features,
        share: effective_share(env, group),
    }
}
