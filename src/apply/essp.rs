//! `charter apply essp`: an environment's `essp/<env>/<stream>.ilm.json` and
//! `<stream>.index-template.json` → `PUT _ilm/policy/<name>` and
//! `PUT _index_template/<name>` on the ESSP (Elasticsearch) endpoint, policies
//! first (a template names its policy). Idempotent: each is read back first
//! (`GET`) and put only when it differs from the artifact, compared the way
//! Elasticsearch stores it (settings nested and stringified, the data stream's
//! default flags added). Any answer other than 2xx (404 on a read: absent) stops the
//! apply with the request and the server's words.

use serde_json::{Map, Value, json};

use crate::apply::Report;
use crate::apply::http::{Http, HttpError, unexpected};

/// One log stream's two artifacts, as the emit stage wrote them.
pub struct Stream {
    pub ilm: Value,
    pub template: Value,
}

/// Applies the streams in order: every ILM policy, then every index template.
pub fn apply(http: &mut dyn Http, streams: &[Stream]) -> Result<Report, HttpError> {
    let mut report = Report::default();
    let mut named = Vec::new();
    for stream in streams {
        let name = stream.template["_meta"]["data_stream"]
            .as_str()
            .ok_or_else(|| {
                HttpError::Artifact("an index template without `_meta.data_stream`".to_string())
            })?;
        let policy = stream.template["template"]["settings"]["index.lifecycle.name"]
            .as_str()
            .ok_or_else(|| {
                HttpError::Artifact(format!(
                    "index template {name} without the setting `index.lifecycle.name`"
                ))
            })?;
        named.push((name, policy, stream));
    }
    for (_, policy, stream) in &named {
        let path = format!("/_ilm/policy/{policy}");
        let current = read(http, &path)?.map(|answer| answer[*policy]["policy"].clone());
        put_if_changed(
            http,
            &path,
            current.map(|c| json!({ "policy": c })).as_ref(),
            &stream.ilm,
            (&format!("ILM policy {policy}"), &mut report),
        )?;
    }
    for (name, _, stream) in &named {
        let path = format!("/_index_template/{name}");
        let current = read(http, &path)?.and_then(|answer| {
            answer["index_templates"]
                .as_array()
                .and_then(|all| all.iter().find(|t| t["name"] == *name))
                .map(|t| t["index_template"].clone())
        });
        put_if_changed(
            http,
            &path,
            current.as_ref(),
            &stream.template,
            (&format!("index template {name}"), &mut report),
        )?;
    }
    Ok(report)
}

/// `GET path`: the answer, or `None` when the server has no such object (404).
fn read(http: &mut dyn Http, path: &str) -> Result<Option<Value>, HttpError> {
    let response = http.send("GET", path, None)?;
    if response.status == 404 {
        return Ok(None);
    }
    if !response.is_success() {
        return Err(unexpected("GET", path, &response));
    }
    response.json("GET", path).map(Some)
}

fn put_if_changed(
    http: &mut dyn Http,
    path: &str,
    current: Option<&Value>,
    wanted: &Value,
    (what, report): (&str, &mut Report),
) -> Result<(), HttpError> {
    if current
        .as_ref()
        .is_some_and(|c| stored(c) == stored(wanted))
    {
        report.unchanged += 1;
        return Ok(());
    }
    let response = http.send("PUT", path, Some(wanted))?;
    if !response.is_success() {
        return Err(unexpected("PUT", path, &response));
    }
    let verb = if current.is_some() {
        "updated"
    } else {
        "created"
    };
    report.changes.push(format!("{verb} {what}"));
    Ok(())
}

/// A body as Elasticsearch hands it back: `settings` flattened to dotted keys with
/// string values (it stores `{"index": {"lifecycle": {"name": …}}}` and numbers
/// as strings), the data stream's default flags (`hidden`, `allow_custom_routing`
/// false) dropped.
fn stored(body: &Value) -> Value {
    let mut body = body.clone();
    if let Some(settings) = body.pointer_mut("/template/settings") {
        let mut flat = Map::new();
        flatten("", settings, &mut flat);
        *settings = Value::Object(flat);
    }
    if let Some(Value::Object(stream)) = body.get_mut("data_stream") {
        stream.retain(|_, v| *v != Value::Bool(false));
    }
    body
}

fn flatten(prefix: &str, value: &Value, out: &mut Map<String, Value>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                let key = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&key, inner, out);
            }
        }
        Value::String(s) => {
            out.insert(prefix.to_string(), Value::String(s.clone()));
        }
        other => {
            out.insert(prefix.to_string(), Value::String(other.to_string()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_compare_as_elasticsearch_stores_them() {
        let ours = json!({"data_stream": {}, "template": {"settings": {"index.lifecycle.name": "p", "index.number_of_shards": 1}}});
        let theirs = json!({"data_stream": {"hidden": false, "allow_custom_routing": false}, "template": {"settings": {"index": {"lifecycle": {"name": "p"}, "number_of_shards": "1"}}}});
        assert_eq!(stored(&ours), stored(&theirs));
        let other = json!({"data_stream": {}, "template": {"settings": {"index": {"lifecycle": {"name": "q"}, "number_of_shards": "1"}}}});
        assert_ne!(stored(&ours), stored(&other));
    }
}
