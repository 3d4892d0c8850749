//! The JSON Schemas of the machine-readable artifacts (the files under `schemas/`,
//! embedded at build time) and the check of an artifact set against them. A
//! failure here is a bug in charter, never in the user's spec.

use std::collections::BTreeMap;

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
    let mut validators = Validators::default();
    set.iter().filter_map(|a| validators.check(a)).collect()
}

/// The compiled validator of each schema, compiled the first time an artifact
/// names it and reused for every other artifact of that schema (compiling one per
/// artifact was two-thirds of a large build).
#[derive(Default)]
pub struct Validators {
    compiled: BTreeMap<&'static str, Result<jsonschema::Validator, String>>,
}

impl Validators {
    /// Checks one artifact against the schema it names, if any.
    pub fn check(&mut self, artifact: &Artifact) -> Option<SchemaFailure> {
        let schema_name = artifact.schema?;
        let fail = |errors: Vec<String>| SchemaFailure {
            path: artifact.path.clone(),
            schema: schema_name.to_string(),
            errors,
        };
        let validator = match self
            .compiled
            .entry(schema_name)
            .or_insert_with(|| compile(schema_name))
        {
            Ok(validator) => validator,
            Err(error) => return Some(fail(vec![error.clone()])),
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
        let errors: Vec<String> = validator
            .iter_errors(&instance)
            .map(|e| format!("{}: {e}", e.instance_path().as_str()))
            .collect();
        (!errors.is_empty()).then(|| fail(errors))
    }
}

/// The validator of a schema under `schemas/`, or why there is none.
fn compile(schema_name: &str) -> Result<jsonschema::Validator, String> {
    let text =
        get(schema_name).ok_or_else(|| format!("schema `{schema_name}` is not under schemas/"))?;
    let schema: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("schema is not JSON: {e}"))?;
    jsonschema::validator_for(&schema).map_err(|e| format!("invalid schema: {e}"))
}
