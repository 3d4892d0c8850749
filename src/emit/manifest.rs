//! `manifest.json`: every generated file with its sha256 and the spec nodes it came
//! from (node ids only: where a node is declared is printed on demand by
//! `charter locate`, so moving lines in the spec changes no byte here), the spec
//! digest, the commit when known, and the tool version. Written by `build`; the
//! paths it lists are read back by `build` to know which files charter owns.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::emit::{Artifact, ArtifactSet, Context};
use crate::id::NodeId;
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
    /// The spec nodes it came from, sorted.
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

pub(crate) fn emit(model: &Model, context: &Context, set: &ArtifactSet) -> Artifact {
    let manifest = Manifest {
        generator: "charter".to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        platform: model.platform.name.clone(),
        spec_digest: context.spec_digest.clone(),
        commit: context.commit.clone(),
        files: set
            .iter()
            .map(|a| ManifestFile {
                path: a.path.clone(),
                sha256: sha256(&a.contents),
                sources: a.sources.clone(),
            })
            .collect(),
    };
    let text = serde_json::to_string_pretty(&manifest).unwrap_or_default();
    Artifact::new(PATH, text).schema("manifest.schema.json")
}
