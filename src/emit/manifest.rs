//! `manifest.json`: every generated file with its sha256 and the spec nodes it came
//! from (provenance: node id and `file:line`), the spec digest, the commit when
//! known, and the tool version.

use std::fmt::Write as _;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::emit::{Artifact, ArtifactSet, Context};
use crate::model::Model;

pub const PATH: &str = "manifest.json";

#[derive(Serialize)]
struct Manifest<'a> {
    generator: &'static str,
    version: &'static str,
    platform: &'a str,
    spec_digest: &'a str,
    commit: Option<&'a str>,
    files: Vec<File<'a>>,
}

#[derive(Serialize)]
struct File<'a> {
    path: &'a str,
    sha256: String,
    sources: Vec<Source<'a>>,
}

#[derive(Serialize)]
struct Source<'a> {
    node: &'a str,
    location: Option<&'a str>,
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
        generator: "charter",
        version: env!("CARGO_PKG_VERSION"),
        platform: &model.platform.name,
        spec_digest: &context.spec_digest,
        commit: context.commit.as_deref(),
        files: set
            .iter()
            .map(|a| File {
                path: &a.path,
                sha256: sha256(&a.contents),
                sources: a
                    .sources
                    .iter()
                    .map(|node| Source {
                        node,
                        location: context.locations.get(node).map(String::as_str),
                    })
                    .collect(),
            })
            .collect(),
    };
    let text = serde_json::to_string_pretty(&manifest).unwrap_or_default();
    Artifact::new(PATH, text).schema("manifest.schema.json")
}
