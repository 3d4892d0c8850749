//! `who-can` answers: which groups can use a model, what a group can do, which
//! groups have a feature; per deployable environment (SDM twins admit only the SDM
//! groups). The JSON shapes are documented in `docs/commands.md`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{
    Environment, Group, Model, admitted, effective_share, granted_by, may_sign_in, pattern,
};
use crate::query::{UnknownName, check_feature, find_environment, find_group};
use crate::spec::{Role, ShareLevel, Tier};

/// The version of the answers' shape.
pub const SCHEMA: u32 = 1;

/// One answer of `charter who-can`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Answer {
    Model(ModelAnswer),
    Group(GroupAnswer),
    Feature(FeatureAnswer),
}

/// Which environment a part of an answer is about, and who may sign in there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Place {
    pub environment: String,
    pub tier: Tier,
    /// The environment this one is the SDM twin of.
    pub twin_of: Option<String>,
    /// The only groups that may sign in (on an SDM twin); `None`: every group.
    pub sign_in: Option<Vec<String>>,
}

impl Place {
    fn of(model: &Model, env: &Environment) -> Self {
        Self {
            environment: env.name.clone(),
            tier: env.tier,
            twin_of: env.sdm.as_ref().map(|t| t.of.clone()),
            // On a twin, the groups `may_sign_in` admits (the SDM groups and admins).
            sign_in: env
                .sdm
                .as_ref()
                .map(|_| admitted(model, env).map(|g| g.name.clone()).collect()),
        }
    }
}

/// A `models` pattern that grants a model, and the group (itself or an ancestor)
/// whose line declares it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModelGrant {
    pub pattern: String,
    pub granted_by: String,
}

/// `--model M`: the groups that can use M, per environment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelAnswer {
    pub schema: u32,
    pub question: &'static str,
    pub model: String,
    pub environments: Vec<ModelInEnvironment>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelInEnvironment {
    #[serde(flatten)]
    pub place: Place,
    /// By group name; empty when no group that may sign in can use the model.
    pub groups: Vec<ModelUser>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModelUser {
    pub group: String,
    pub directory: Option<String>,
    /// Every pattern that grants it, the furthest ancestor's first.
    pub grants: Vec<ModelGrant>,
}

/// `--group G`: what G can do in each environment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupAnswer {
    pub schema: u32,
    pub question: &'static str,
    pub group: String,
    pub directory: Option<String>,
    /// `inherits` chain, nearest parent first.
    pub lineage: Vec<String>,
    pub environments: Vec<GroupInEnvironment>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupInEnvironment {
    #[serde(flatten)]
    pub place: Place,
    /// `None` when the group may not sign in there (an SDM twin it is not admitted to).
    pub access: Option<GroupAccess>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupAccess {
    pub role: Role,
    pub models: Vec<ModelGrant>,
    pub features: Vec<FeatureGrant>,
    /// Per object; a twin's `sdm share` wins over the group's own level.
    pub share: BTreeMap<String, ShareLevel>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeatureGrant {
    pub feature: String,
    pub granted_by: String,
}

/// `--feature F`: the groups that have F, per environment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeatureAnswer {
    pub schema: u32,
    pub question: &'static str,
    pub feature: String,
    pub environments: Vec<FeatureInEnvironment>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeatureInEnvironment {
    #[serde(flatten)]
    pub place: Place,
    pub groups: Vec<FeatureHolder>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeatureHolder {
    pub group: String,
    pub directory: Option<String>,
    pub granted_by: String,
}

/// The environments asked about: `only`, or all of them by name.
fn environments<'m>(
    model: &'m Model,
    only: Option<&str>,
) -> Result<Vec<&'m Environment>, UnknownName> {
    match only {
        Some(name) => Ok(vec![find_environment(model, name)?]),
        None => Ok(model.environments.values().collect()),
    }
}

/// Which groups can use model id `model_id`, and through which grant, in each
/// environment (or only `only`). A model that no pattern grants is an answer too:
/// every environment lists no group.
pub fn model_access(
    model: &Model,
    model_id: &str,
    only: Option<&str>,
) -> Result<ModelAnswer, UnknownName> {
    let environments = environments(model, only)?
        .into_iter()
        .map(|env| ModelInEnvironment {
            place: Place::of(model, env),
            groups: admitted(model, env)
                .filter_map(|g| {
                    let grants = model_grants(model, g, |p| pattern::grants(p, model_id));
                    (!grants.is_empty()).then(|| ModelUser {
                        group: g.name.clone(),
                        directory: g.directory.clone(),
                        grants,
                    })
                })
                .collect(),
        })
        .collect();
    Ok(ModelAnswer {
        schema: SCHEMA,
        question: "model",
        model: model_id.to_string(),
        environments,
    })
}

/// What group `name` can do in each environment (or only `only`).
pub fn group_access(
    model: &Model,
    name: &str,
    only: Option<&str>,
) -> Result<GroupAnswer, UnknownName> {
    let group = find_group(model, name)?;
    let environments = environments(model, only)?
        .into_iter()
        .map(|env| GroupInEnvironment {
            place: Place::of(model, env),
            access: may_sign_in(env, group).then(|| GroupAccess {
                role: group.role,
                models: model_grants(model, group, |_| true),
                features: group
                    .features
                    .iter()
                    .map(|f| FeatureGrant {
                        feature: f.clone(),
                        granted_by: granted_by(model, group, |g| g.features.contains(f))
                            .to_string(),
                    })
                    .collect(),
                share: effective_share(env, group),
            }),
        })
        .collect();
    Ok(GroupAnswer {
        schema: SCHEMA,
        question: "group",
        group: group.name.clone(),
        directory: group.directory.clone(),
        lineage: group.lineage.clone(),
        environments,
    })
}

/// Which groups have feature `feature` in each environment (or only `only`).
pub fn feature_access(
    model: &Model,
    feature: &str,
    only: Option<&str>,
) -> Result<FeatureAnswer, UnknownName> {
    check_feature(feature)?;
    let environments = environments(model, only)?
        .into_iter()
        .map(|env| FeatureInEnvironment {
            place: Place::of(model, env),
            groups: admitted(model, env)
                .filter(|g| g.features.contains(feature))
                .map(|g| FeatureHolder {
                    group: g.name.clone(),
                    directory: g.directory.clone(),
                    granted_by: granted_by(model, g, |a| a.features.contains(feature)).to_string(),
                })
                .collect(),
        })
        .collect();
    Ok(FeatureAnswer {
        schema: SCHEMA,
        question: "feature",
        feature: feature.to_string(),
        environments,
    })
}

/// The group's model patterns that `keep` accepts, each with the group that declared
/// it; the furthest ancestor's grants first, then by pattern.
fn model_grants(model: &Model, group: &Group, keep: impl Fn(&str) -> bool) -> Vec<ModelGrant> {
    // How far up the lineage a group is: 0 for the group itself.
    let distance = |name: &str| {
        group
            .lineage
            .iter()
            .position(|a| a == name)
            .map_or(0, |nearest_first| nearest_first + 1)
    };
    let mut grants: Vec<ModelGrant> = group
        .models
        .iter()
        .filter(|p| keep(p))
        .map(|p| ModelGrant {
            pattern: p.clone(),
            granted_by: granted_by(model, group, |g| g.models.contains(p)).to_string(),
        })
        .collect();
    grants.sort_by(|a, b| {
        distance(&b.granted_by)
            .cmp(&distance(&a.granted_by))
            .then_with(|| a.pattern.cmp(&b.pattern))
    });
    grants
}
