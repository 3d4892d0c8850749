//! The resolved view of one environment: everything that holds there, in one JSON
//! document (`charter model --env E`; organisation constraints are JSON Schemas
//! checked against it). Its fields are documented in `docs/model.md`; fields are
//! only ever added, an incompatible change bumps `schema`.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::model::{
    App, Environment, Group, Model, Role, Scale, ShareLevel, admitted, effective_share,
};

/// The version of the view's shape.
pub const SCHEMA: u32 = 1;

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
pub fn environment_view(model: &Model, env: &str) -> Option<Value> {
    let mut views = Views::new(model);
    views.get(env)?;
    Some(views.document)
}

/// The views of many environments, built one after the other in one reused
/// document. Its `groups` section is the same for every regular environment (only
/// an SDM twin admits other groups and shares differently), so it is serialized
/// once and moved from one document to the next: viewing N environments costs N
/// environment sections and one groups section, not N × every group.
pub struct Views<'m> {
    model: &'m Model,
    document: Value,
    /// Whether `document` holds the regular environments' groups section.
    holds_regular_groups: bool,
    /// The regular environments' groups section while `document` does not hold it.
    regular_groups: Option<Value>,
}

impl<'m> Views<'m> {
    pub fn new(model: &'m Model) -> Self {
        Self {
            model,
            document: Value::Null,
            holds_regular_groups: false,
            regular_groups: None,
        }
    }

    /// The view of `env`, replacing the previous one; `None` when the model has no
    /// such deployable environment.
    ///
    /// # Panics
    ///
    /// Never: every map in the view has string keys, so serialization cannot fail.
    pub fn get(&mut self, env: &str) -> Option<&Value> {
        let model = self.model;
        let environment = model.environments.get(env)?;
        if let Value::Object(mut previous) = std::mem::take(&mut self.document)
            && self.holds_regular_groups
        {
            self.regular_groups = previous.remove("groups");
        }
        let regular = environment.sdm.is_none();
        let groups = match (regular, self.regular_groups.take()) {
            (true, Some(groups)) => groups,
            _ => groups_section(model, environment),
        };
        self.holds_regular_groups = regular;
        let apps: BTreeMap<&str, AppView> = model
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
            .collect();
        let alerts: Vec<&str> = model
            .alerts
            .values()
            .filter(|a| a.environments.contains(env))
            .map(|a| a.name.as_str())
            .collect();
        let mut document = Map::new();
        document.insert("schema".into(), Value::from(SCHEMA));
        document.insert("platform".into(), value(&model.platform));
        document.insert("identity".into(), value(&model.identity));
        document.insert("environment".into(), value(environment));
        document.insert("apps".into(), value(&apps));
        document.insert("groups".into(), groups);
        document.insert("alerts".into(), value(&alerts));
        self.document = Value::Object(document);
        Some(&self.document)
    }
}

/// The groups that may sign in to `env`, with what each may do there.
fn groups_section(model: &Model, env: &Environment) -> Value {
    let groups: BTreeMap<&str, GroupView> = admitted(model, env)
        .map(|g| (g.name.as_str(), group_view(env, g)))
        .collect();
    value(&groups)
}

fn value(part: &impl Serialize) -> Value {
    serde_json::to_value(part).expect("the environment view serializes")
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
