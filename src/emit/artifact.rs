//! A generated file in memory, and the sorted set of them.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::emit::EmitError;
use crate::id::NodeId;

/// One generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    /// Path under the output directory, with `/`.
    pub path: String,
    /// UTF-8 text with `\n` line ends and one trailing newline.
    pub contents: String,
    /// The spec nodes it came from (`environment/prod`, `app/webui`, ...), sorted.
    pub sources: Vec<NodeId>,
    /// The JSON Schema (file name under `schemas/`) it must satisfy, if any.
    pub schema: Option<&'static str>,
}

impl Artifact {
    pub fn new(path: impl Into<String>, contents: impl Into<String>) -> Self {
        let mut contents = contents.into();
        if !contents.ends_with('\n') {
            contents.push('\n');
        }
        // A serializer's buffer grows by doubling: keep only the bytes.
        contents.shrink_to_fit();
        Self {
            path: path.into(),
            contents,
            sources: Vec::new(),
            schema: None,
        }
    }

    /// A JSON artifact: pretty-printed, keys in the order the value has them.
    pub fn json(path: impl Into<String>, value: &impl Serialize) -> Result<Self, EmitError> {
        let path = path.into();
        let text = serde_json::to_string_pretty(value).map_err(|e| EmitError::Serialize {
            path: path.clone(),
            message: e.to_string(),
        })?;
        Ok(Self::new(path, text))
    }

    /// A YAML artifact with the generated-file header as a comment.
    pub fn yaml(path: impl Into<String>, value: &impl Serialize) -> Result<Self, EmitError> {
        let path = path.into();
        let text = serde_norway::to_string(value).map_err(|e| EmitError::Serialize {
            path: path.clone(),
            message: e.to_string(),
        })?;
        Ok(Self::new(
            path,
            format!("# {}\n{text}", crate::emit::HEADER),
        ))
    }

    #[must_use]
    pub fn from_nodes(mut self, nodes: impl IntoIterator<Item = NodeId>) -> Self {
        self.sources.extend(nodes);
        self.sources.sort();
        self.sources.dedup();
        self
    }

    #[must_use]
    pub fn schema(mut self, schema: &'static str) -> Self {
        self.schema = Some(schema);
        self
    }
}

/// Every artifact, sorted by path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArtifactSet {
    artifacts: BTreeMap<String, Artifact>,
}

impl ArtifactSet {
    pub fn insert(&mut self, artifact: Artifact) -> Result<(), EmitError> {
        if self.artifacts.contains_key(&artifact.path) {
            return Err(EmitError::DuplicateArtifact(artifact.path));
        }
        self.artifacts.insert(artifact.path.clone(), artifact);
        Ok(())
    }

    pub fn get(&self, path: &str) -> Option<&Artifact> {
        self.artifacts.get(path)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Artifact> {
        self.artifacts.values()
    }

    pub fn len(&self) -> usize {
        self.artifacts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.artifacts.is_empty()
    }
}
