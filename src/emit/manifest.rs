//! `manifest.json`: every generated file with its sha256 and the spec nodes it came
//! from (node ids only: where a node is declared is printed on demand by
//! `charter locate`, so moving lines in the spec changes no byte here), the spec
//! digest, the commit when known, and the tool version. Written by `build`; the
//! paths it lists are read back by `build` to know which files charter owns.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use std::collections::{BTreeMap, BTreeSet};

use crate::emit::{Artifact, Context, EmitError};
use crate::id::{NodeId, NodeKind};
use crate::model::Model;

pub const PATH: &str = "manifest.json";

/// The manifest as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Manifest {
    pub generator: String,
    pub version: String,
    pub platform: String,
    pub spec_digest: String,
    pub commit: Option<String>,
    pub files: Vec<ManifestFile>,
}

/// One generated file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ManifestFile {
    pub path: String,
    pub sha256: String,
    /// The spec nodes it came from, sorted; `kind/*` for every node of a kind.
    pub sources: Vec<NodeId>,
}

/// What a previous build's manifest says charter owns: only the fields every
/// manifest version has, so an output directory written by an older charter (whose
/// sources carried locations) is still recognised.
#[derive(Deserialize)]
struct Listed {
    generator: String,
    files: Vec<ListedFile>,
}

#[derive(Deserialize)]
struct ListedFile {
    path: String,
}

/// The paths a manifest's text lists, its own included; `None` when the text is
/// not a manifest charter wrote.
pub fn listed_paths(text: &str) -> Option<std::collections::BTreeSet<String>> {
    let listed = serde_json::from_str::<Listed>(text)
        .ok()
        .filter(|m| m.generator == "charter")?;
    Some(
        listed
            .files
            .into_iter()
            .map(|f| f.path)
            .chain(std::iter::once(PATH.to_string()))
            .collect(),
    )
}

/// The sha256 of a text, as lowercase hex.
pub fn sha256(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().fold(String::with_capacity(64), |mut hex, b| {
        let _ = write!(hex, "{b:02x}");
        hex
    })
}

/// The manifest being built while the artifacts pass: each file's path, digest and
/// spec nodes. A file drawn from every node of a kind (every group, say) lists
/// `kind/*` instead of each of them, so the listing grows with the files, not with
/// files × groups.
pub(crate) struct Listing {
    files: BTreeMap<String, ManifestFile>,
    /// Every node of each kind with at least two, that `kind/*` stands for.
    every: Vec<(NodeKind, BTreeSet<NodeId>)>,
}

impl Listing {
    pub(crate) fn new(model: &Model) -> Self {
        let kinds: [(NodeKind, Vec<&String>); 7] = [
            (NodeKind::App, model.apps.keys().collect()),
            (NodeKind::Environment, model.environments.keys().collect()),
            (NodeKind::Group, model.groups.keys().collect()),
            (NodeKind::Channel, model.channels.keys().collect()),
            (NodeKind::Escalation, model.escalations.keys().collect()),
            (NodeKind::Alert, model.alerts.keys().collect()),
            (NodeKind::Runbook, model.runbooks.keys().collect()),
        ];
        let every = kinds
            .into_iter()
            .filter(|(_, names)| names.len() >= 2)
            .map(|(kind, names)| {
                let ids = names.into_iter().map(|n| NodeId::new(kind, n)).collect();
                (kind, ids)
            })
            .collect();
        Self {
            files: BTreeMap::new(),
            every,
        }
    }

    /// Lists one artifact; two artifacts with one path are a bug.
    pub(crate) fn add(&mut self, artifact: &Artifact) -> Result<(), EmitError> {
        if self.files.contains_key(&artifact.path) || artifact.path == PATH {
            return Err(EmitError::DuplicateArtifact(artifact.path.clone()));
        }
        let file = ManifestFile {
            path: artifact.path.clone(),
            sha256: sha256(&artifact.contents),
            sources: self.compact(&artifact.sources),
        };
        self.files.insert(artifact.path.clone(), file);
        Ok(())
    }

    /// `sources` (sorted) with every complete kind written `kind/*`.
    fn compact(&self, sources: &[NodeId]) -> Vec<NodeId> {
        let mut out: Vec<NodeId> = sources.to_vec();
        for (kind, all) in &self.every {
            let present = sources
                .iter()
                .filter(|id| id.kind == *kind && all.contains(*id))
                .count();
            if present == all.len() {
                out.retain(|id| !(id.kind == *kind && all.contains(id)));
                out.push(NodeId::new(*kind, EVERY));
            }
        }
        out.sort();
        out
    }

    /// The manifest of everything listed.
    pub(crate) fn finish(self, model: &Model, context: &Context) -> Artifact {
        let manifest = Manifest {
            generator: "charter".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            platform: model.platform.name.clone(),
            spec_digest: context.spec_digest.clone(),
            commit: context.commit.clone(),
            files: self.files.into_values().collect(),
        };
        let text = serde_json::to_string_pretty(&manifest).unwrap_or_default();
        Artifact::new(PATH, text).schema("manifest.schema.json")
    }
}

/// The name that stands for every node of a kind in a manifest's `sources`
/// (`group/*`); no node is named so (names follow the name rule).
pub const EVERY: &str = "*";

/// The provenance of a file drawn from `groups` (a subset of the model's, each
/// once): `group/*` when they are all of the model's groups (and there are at least
/// two, as the listing compacts), else each group's id. Saves building thousands of
/// ids per file only for the listing to fold them back into one.
pub fn group_sources<'m>(
    model: &Model,
    groups: impl ExactSizeIterator<Item = &'m crate::model::Group>,
) -> Vec<NodeId> {
    if groups.len() == model.groups.len() && model.groups.len() >= 2 {
        vec![NodeId::new(NodeKind::Group, EVERY)]
    } else {
        groups.map(crate::model::Group::id).collect()
    }
}
