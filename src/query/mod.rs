//! Queries over the sealed [`Model`]: the resolved view of one environment
//! (`charter model`, and what organisation constraints are checked against) and the
//! access questions of `charter who-can`. Pure: a model and names in, values out.

pub mod access;
pub mod human;

use std::fmt::Write as _;

use strum::IntoEnumIterator as _;

use crate::id::{NodeId, NodeKind};
use crate::model::{Environment, Group, Model, Origin};
use crate::spec::FEATURES;
use crate::suggest;

pub use access::{Answer, feature_access, group_access, model_access};

/// A name on the command line that the spec does not define.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[error("unknown {kind} `{name}`")]
#[diagnostic(code(charter::unknown_name), help("{help}"))]
pub struct UnknownName {
    /// `environment`, `group` or `feature`.
    pub kind: &'static str,
    pub name: String,
    /// "did you mean `x`?" when one is close, then every known name.
    pub help: String,
}

impl UnknownName {
    fn new<'a>(
        kind: &'static str,
        plural: &str,
        name: &str,
        known: impl Iterator<Item = &'a str> + Clone,
    ) -> Self {
        let list: Vec<&str> = known.clone().collect();
        let list = if list.is_empty() {
            format!("the spec defines no {plural}")
        } else {
            format!("{plural}: {}", list.join(", "))
        };
        let help = match suggest::did_you_mean(name, known) {
            Some(hint) => format!("{hint} {list}"),
            None => list,
        };
        Self {
            kind,
            name: name.to_string(),
            help,
        }
    }
}

/// The deployable environment `name` (an SDM twin too).
pub fn find_environment<'m>(model: &'m Model, name: &str) -> Result<&'m Environment, UnknownName> {
    model
        .environments
        .get(name)
        .ok_or_else(|| unknown_environment(model, name))
}

/// The error for an environment `name` that the model does not deploy.
pub fn unknown_environment(model: &Model, name: &str) -> UnknownName {
    UnknownName::new(
        "environment",
        "environments",
        name,
        model.environments.keys().map(String::as_str),
    )
}

/// The access group `name`.
pub fn find_group<'m>(model: &'m Model, name: &str) -> Result<&'m Group, UnknownName> {
    model.groups.get(name).ok_or_else(|| {
        UnknownName::new(
            "group",
            "groups",
            name,
            model.groups.keys().map(String::as_str),
        )
    })
}

/// How many names of a kind an unknown-node error lists.
const LISTED: usize = 20;

/// The spec node `text` names (`kind/name`), with where it is declared.
pub fn find_node(model: &Model, text: &str) -> Result<(NodeId, Origin), UnknownName> {
    let Some(id) = NodeId::parse(text) else {
        let kinds: Vec<&str> = NodeKind::iter().map(NodeKind::as_str).collect();
        return Err(UnknownName {
            kind: "node",
            name: text.to_string(),
            help: format!(
                "a node id is `kind/name`, like `environment/prod`; kinds: {}",
                kinds.join(", ")
            ),
        });
    };
    if let Some(origin) = model.origins.get(&id) {
        return Ok((id, *origin));
    }
    // Suggest among the nodes of the same kind; list at most a screenful.
    let same_kind: Vec<String> = model
        .origins
        .keys()
        .filter(|k| k.kind == id.kind)
        .map(ToString::to_string)
        .collect();
    let mut help = match suggest::did_you_mean(text, same_kind.iter().map(String::as_str)) {
        Some(hint) => format!("{hint} "),
        None => String::new(),
    };
    if same_kind.is_empty() {
        let _ = write!(help, "the spec declares no {} node", id.kind);
    } else {
        let shown: Vec<&str> = same_kind.iter().take(LISTED).map(String::as_str).collect();
        let _ = write!(help, "{} nodes: {}", id.kind, shown.join(", "));
        if same_kind.len() > LISTED {
            let _ = write!(help, " and {} more", same_kind.len() - LISTED);
        }
    }
    Err(UnknownName {
        kind: "node",
        name: text.to_string(),
        help,
    })
}

/// `name` if it is one of [`FEATURES`].
pub fn check_feature(name: &str) -> Result<(), UnknownName> {
    if FEATURES.contains(&name) {
        Ok(())
    } else {
        Err(UnknownName::new(
            "feature",
            "features",
            name,
            FEATURES.iter().copied(),
        ))
    }
}
