//! `charter apply open-webui`: an environment's access policy
//! (`access/shared/policy-<n>.json`) and the group definitions
//! (`access/shared/groups.json`) → Open WebUI's API, in two passes:
//!
//! 1. **Groups.** `GET /api/v1/groups/` lists the site's groups; each admitted group
//!    is created (`POST /api/v1/groups/create`) or, when its description or
//!    permissions differ, updated (`POST /api/v1/groups/id/{id}/update`), by name.
//!    Groups the spec does not name are left alone (OAuth group management and
//!    hand-made groups own them).
//! 2. **Model read grants.** `GET /api/models` lists every model id on the site; for
//!    each, the groups of every `model_grants` pattern it matches are its group read
//!    grants. `POST /api/v1/models/model/access/update` replaces *all* of a model's
//!    grants (Open WebUI 0.11.4, `AccessGrants.set_access_grants`), so each model is
//!    sent once, with the union, and only when its current grants
//!    (`GET /api/v1/models/model?id=`) differ. Write grants (editors of a workspace
//!    model) are kept as they are; every read grant the spec does not give (to a
//!    group, a user or `anyone`) is removed: who may read a model is the spec's.
//!
//! Idempotent: a second run only reads. Any answer other than 2xx stops the apply
//! with the request and the server's words.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::apply::Report;
use crate::apply::http::{Http, HttpError, unexpected};
use crate::model::pattern;

const GROUPS: &str = "/api/v1/groups/";
const CREATE_GROUP: &str = "/api/v1/groups/create";
const MODELS: &str = "/api/models";
const MODEL_ACCESS: &str = "/api/v1/models/model/access/update";

/// Applies `policy` (an `access-policy/v1` file) with the descriptions of
/// `definitions` (the `access-groups/v1` file).
pub fn apply(
    http: &mut dyn Http,
    policy: &Value,
    definitions: &Value,
) -> Result<Report, HttpError> {
    let mut report = Report::default();
    let ids = groups(http, policy, definitions, &mut report)?;
    models(http, policy, &ids, &mut report)?;
    Ok(report)
}

/// Pass 1: every admitted group as the policy says; returns each one's id by name.
fn groups(
    http: &mut dyn Http,
    policy: &Value,
    definitions: &Value,
    report: &mut Report,
) -> Result<BTreeMap<String, String>, HttpError> {
    let descriptions: BTreeMap<&str, &str> = array(definitions, "groups")?
        .iter()
        .filter_map(|g| Some((g["name"].as_str()?, g["description"].as_str()?)))
        .collect();
    let existing = get(http, GROUPS)?;
    let existing = existing.as_array().ok_or_else(|| {
        HttpError::Answer(format!(
            "GET {GROUPS} answered something that is not a list of groups"
        ))
    })?;
    let mut ids = BTreeMap::new();
    for grant in array(policy, "grants")? {
        let (Some(charter_name), Some(name)) =
            (grant["group"].as_str(), grant["open_webui_group"].as_str())
        else {
            return Err(HttpError::Artifact(
                "an access-policy grant without `group` or `open_webui_group`".to_string(),
            ));
        };
        let description = descriptions.get(charter_name).copied().ok_or_else(|| {
            HttpError::Artifact(format!(
                "group `{charter_name}` is not in access/shared/groups.json"
            ))
        })?;
        let form = json!({
            "name": name,
            "description": description,
            "permissions": grant["permissions"],
        });
        let current = existing.iter().find(|g| g["name"] == name);
        let id = match current {
            None => {
                let created = post(http, CREATE_GROUP, &form)?;
                report.changes.push(format!("created group {name}"));
                created["id"].as_str().map(str::to_string).ok_or_else(|| {
                    HttpError::Answer(format!(
                        "POST {CREATE_GROUP} answered a group without an id"
                    ))
                })?
            }
            Some(current) => {
                let id = current["id"].as_str().map(str::to_string).ok_or_else(|| {
                    HttpError::Answer(format!("GET {GROUPS} listed group {name} without an id"))
                })?;
                if current["description"] == form["description"]
                    && current["permissions"] == form["permissions"]
                {
                    report.unchanged += 1;
                } else {
                    post(http, &format!("/api/v1/groups/id/{id}/update"), &form)?;
                    report.changes.push(format!("updated group {name}"));
                }
                id
            }
        };
        ids.insert(name.to_string(), id);
    }
    Ok(ids)
}

/// Pass 2: each model's read grants, one union per model.
fn models(
    http: &mut dyn Http,
    policy: &Value,
    ids: &BTreeMap<String, String>,
    report: &mut Report,
) -> Result<(), HttpError> {
    let mut patterns: Vec<(&str, Vec<&str>)> = Vec::new();
    for grant in array(policy, "model_grants")? {
        let pattern = grant["pattern"]
            .as_str()
            .ok_or_else(|| HttpError::Artifact("a model grant without `pattern`".to_string()))?;
        let groups = array(grant, "open_webui_groups")?
            .iter()
            .filter_map(Value::as_str)
            .collect();
        patterns.push((pattern, groups));
    }
    let listed = get(http, MODELS)?;
    let model_ids: BTreeSet<&str> = listed["data"]
        .as_array()
        .ok_or_else(|| HttpError::Answer(format!("GET {MODELS} answered without a `data` list")))?
        .iter()
        .filter_map(|m| m["id"].as_str())
        .collect();
    for model in model_ids {
        let mut readers: BTreeSet<&str> = BTreeSet::new();
        for (pattern, groups) in &patterns {
            if pattern::grants(pattern, model) {
                for group in groups {
                    let id = ids.get(*group).ok_or_else(|| {
                        HttpError::Artifact(format!(
                            "model grant to {group}, which is not among the policy's grants"
                        ))
                    })?;
                    readers.insert(id);
                }
            }
        }
        let path = format!("/api/v1/models/model?id={}", query_value(model));
        let current = match http.send("GET", &path, None)? {
            response if response.status == 404 => Value::Null,
            response if response.is_success() => response.json("GET", &path)?,
            response => return Err(unexpected("GET", &path, &response)),
        };
        let current: Vec<Value> = current["access_grants"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let kept = current.iter().filter(|g| g["permission"] != "read");
        let mut wanted: Vec<Value> = kept
            .map(|g| {
                json!({
                    "principal_type": g["principal_type"],
                    "principal_id": g["principal_id"],
                    "permission": g["permission"],
                })
            })
            .collect();
        wanted.extend(readers.iter().map(
            |id| json!({"principal_type": "group", "principal_id": id, "permission": "read"}),
        ));
        if key_set(&current) == key_set(&wanted) {
            report.unchanged += 1;
            continue;
        }
        post(
            http,
            MODEL_ACCESS,
            &json!({"id": model, "access_grants": wanted}),
        )?;
        report.changes.push(format!(
            "set the read grants of model {model} ({} group{})",
            readers.len(),
            if readers.len() == 1 { "" } else { "s" }
        ));
    }
    Ok(())
}

/// A grant list as a set of (principal type, principal id, permission).
fn key_set(grants: &[Value]) -> BTreeSet<(String, String, String)> {
    grants
        .iter()
        .map(|g| {
            let text = |key: &str| g[key].as_str().unwrap_or_default().to_string();
            (
                text("principal_type"),
                text("principal_id"),
                text("permission"),
            )
        })
        .collect()
}

/// A model id in a query string: percent-encoded except the unreserved characters.
fn query_value(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

fn array<'v>(value: &'v Value, key: &str) -> Result<&'v Vec<Value>, HttpError> {
    value[key]
        .as_array()
        .ok_or_else(|| HttpError::Artifact(format!("an access artifact without the list `{key}`")))
}

fn get(http: &mut dyn Http, path: &str) -> Result<Value, HttpError> {
    let response = http.send("GET", path, None)?;
    if !response.is_success() {
        return Err(unexpected("GET", path, &response));
    }
    response.json("GET", path)
}

fn post(http: &mut dyn Http, path: &str, body: &Value) -> Result<Value, HttpError> {
    let response = http.send("POST", path, Some(body))?;
    if !response.is_success() {
        return Err(unexpected("POST", path, &response));
    }
    response.json("POST", path)
}

#[cfg(test)]
mod tests {
    use super::query_value;

    #[test]
    fn model_ids_are_percent_encoded_in_the_query() {
        assert_eq!(query_value("gpt-4o"), "gpt-4o");
        assert_eq!(query_value("openai/gpt 4o"), "openai%2Fgpt%204o");
        assert_eq!(query_value("é"), "%C3%A9");
    }
}
