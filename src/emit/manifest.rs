//! `manifest.json`: every generated file with its sha256 and the spec nodes it came
//! from (node ids only: where a node is declared is printed on demand by
//! `charter locate`, so moving lines in the spec changes no byte here), the spec
//! digest, the commit when known, and the tool version. Written by `build`, and
//! read back (typed) by `build` and `check` to know which files charter owns.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::emit::{Artifact, ArtifactSet, Context};
use crate::id::NodeId;
use crate::model::Model;

pub const PATH: &str = "manifest.json";

/// The manifest, as written and as read back from a previous build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub generator: String,
    pub version: String,
    pub platform: String,
    pub spec_digest: String,
    pub commit: Option<String>,
    pub files: Vec<ManifestFile>,
}

/// One generated file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestFile {
    pub path: String,
    pub sha256: String,
    /// The spec nodes it came from, sorted.
    pub sources: Vec<NodeId>,
}

impl Manifest {
    /// Reads a manifest's text; `None` when it is not one charter wrote.
    pub fn parse(text: &str) -> Option<Manifest> {
        serde_json::from_str::<Manifest>(text)
            .ok()
            .filter(|m| m.generator == "charter")
    }

    /// The paths it lists, its own included.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files
            .iter()
            .map(|f| f.path.as_str())
            .chain(std::iter::once(PATH))
    }
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
