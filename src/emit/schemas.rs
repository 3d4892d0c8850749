//! The JSON Schemas of the machine-readable artifacts (the files under `schemas/`,
//! embedded at build time) and the check of an artifact set against them. A
//! failure here is a bug in charter, never in the user's spec.

use crate::emit::{Artifact, ArtifactSet};

include!(concat!(env!("OUT_DIR"), "/schemas.rs"));

/// The text of a schema by file name.
pub fn get(name: &str) -> Option<&'static str> {
    SCHEMAS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
}

/// An artifact that does not satisfy its schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaFailure {
    pub path: String,
    pub schema: String,
    /// One line per error: `<json pointer>: <message>`.
    pub errors: Vec<String>,
}

/// Checks every artifact that names a schema; returns the failures.
pub fn validate(set: &ArtifactSet) -> Vec<SchemaFailure> {
    set.iter().filter_map(validate_one).collect()
}

fn validate_one(artifact: &Artifact) -> Option<SchemaFailure> {
    let schema_name = artifact.schema?;
    let fail = |errors: Vec<String>| SchemaFailure {
        path: artifact.path.clone(),
        schema: schema_name.to_string(),
        errors,
    };
    let Some(schema_text) = get(schema_name) else {
        return Some(fail(vec![format!(
            "schema `{schema_name}` is not under schemas/"
        )]));
    };
    let schema: serde_json::Value = match serde_json::from_str(schema_text) {
        Ok(v) => v,
        Err(e) => return Some(fail(vec![format!("schema is not JSON: {e}")])),
    };
    let extension = std::path::Path::new(&artifact.path)
        .extension()
        .and_then(|e| e.to_str());
    let instance: serde_json::Value = if matches!(extension, Some("yaml" | "yml")) {
        match serde_norway::from_str(&artifact.contents) {
            Ok(v) => v,
            Err(e) => return Some(fail(vec![format!("not YAML: {e}")])),
        }
    } else {
        match serde_json::from_str(&artifact.contents) {
            Ok(v) => v,
            Err(e) => return Some(fail(vec![format!("not JSON: {e}")])),
        }
    };
    let validator = match jsonschema::validator_for(&schema) {
        Ok(v) => v,
        Err(e) => return Some(fail(vec![format!("invalid schema: {e}")])),
    };
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| format!("{}: {e}", e.instance_path().as_str()))
        .collect();
    (!errors.is_empty()).then(|| fail(errors))
}
