//! `charter apply essp` against a recording server that keeps what it is sent the
//! way Elasticsearch does (settings nested and stringified, the data stream's
//! default flags added): policies are put before the templates that name them,
//! each body is the generated file, a second apply only reads, and a 5xx stops the
//! apply with exit 1.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value, json};

use crate::recording::{self, Recorder, Request};
use crate::support;

/// A fake Elasticsearch: stores what is PUT, answers GETs as Elasticsearch
/// would, and answers 503 to every PUT when `failing`.
fn elasticsearch(failing: bool) -> Recorder {
    let store: Arc<Mutex<BTreeMap<String, Value>>> = Arc::default();
    Recorder::start(move |request: &Request| {
        let mut store = store.lock().expect("lock");
        let name = request
            .path
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string();
        match request.method.as_str() {
            "PUT" if failing => (503, json!({"error": "unavailable"}).to_string()),
            "PUT" => {
                let body: Value = serde_json::from_str(&request.body).expect("a JSON body");
                store.insert(request.path.clone(), body);
                (200, json!({"acknowledged": true}).to_string())
            }
            "GET" => match store.get(&request.path) {
                None => (404, json!({"error": {"type": "resource_not_found_exception"}, "status": 404}).to_string()),
                Some(body) if request.path.starts_with("/_ilm/") => (
                    200,
                    json!({ name: {"version": 1, "modified_date": "2026-12-03T08:00:00.000Z", "policy": body["policy"]} })
                        .to_string(),
                ),
                Some(body) => {
                    let mut stored = body.clone();
                    let flat = stored["template"]["settings"].as_object().cloned().unwrap_or_default();
                    stored["template"]["settings"] = nested(&flat);
                    stored["data_stream"] = json!({"hidden": false, "allow_custom_routing": false});
                    (200, json!({"index_templates": [{"name": name, "index_template": stored}]}).to_string())
                }
            },
            _ => (405, "{}".to_string()),
        }
    })
}

/// `{"index.lifecycle.name": "x"}` → `{"index": {"lifecycle": {"name": "x"}}}`, values as strings.
fn nested(flat: &Map<String, Value>) -> Value {
    let mut root = json!({});
    for (key, value) in flat {
        let mut at = &mut root;
        let parts: Vec<&str> = key.split('.').collect();
        for part in &parts[..parts.len() - 1] {
            at = at
                .as_object_mut()
                .expect("object")
                .entry(*part)
                .or_insert(json!({}));
        }
        let text = value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_string);
        at[parts[parts.len() - 1]] = Value::String(text);
    }
    root
}

fn apply(server: &Recorder, key: Option<&str>) -> (i32, String, String) {
    let mut command = support::charter_bin();
    command
        .args(["apply", "essp", "--env", "prod"])
        .env("CHARTER_ESSP_URL", &server.url);
    match key {
        Some(key) => command.env("CHARTER_ESSP_API_KEY", key),
        None => command.env_remove("CHARTER_ESSP_API_KEY"),
    };
    let out = command.output().expect("run charter");
    (
        out.status.code().expect("exit code"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        recording::one_line(&String::from_utf8_lossy(&out.stderr)),
    )
}

fn generated(path: &str) -> Value {
    let text =
        std::fs::read_to_string(support::repo_root().join("generated").join(path)).expect(path);
    serde_json::from_str(&text).expect("JSON")
}

#[test]
fn essp_apply_puts_policies_then_templates_and_a_second_apply_only_reads() {
    let server = elasticsearch(false);
    let (code, stdout, stderr) = apply(&server, Some("a2V5OnNlY3JldA=="));
    assert_eq!(code, 2, "{stdout}{stderr}");
    let requests = server.requests();
    let calls: Vec<String> = requests
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    let mut expected = Vec::new();
    for (kind, streams) in [
        ("_ilm/policy", ["access", "app", "audit"]),
        ("_index_template", ["access", "app", "audit"]),
    ] {
        for stream in streams {
            let name = if stream == "access" {
                "caas-access-prod".to_string()
            } else {
                format!("caas-webui-{stream}-prod")
            };
            expected.push(format!("GET /{kind}/{name}"));
            expected.push(format!("PUT /{kind}/{name}"));
        }
    }
    assert_eq!(calls, expected);
    for request in &requests {
        assert_eq!(
            request.header("authorization"),
            Some("ApiKey a2V5OnNlY3JldA==")
        );
    }
    for (request, file) in requests.iter().filter(|r| r.method == "PUT").zip([
        "essp/prod/access.ilm.json",
        "essp/prod/app.ilm.json",
        "essp/prod/audit.ilm.json",
        "essp/prod/access.index-template.json",
        "essp/prod/app.index-template.json",
        "essp/prod/audit.index-template.json",
    ]) {
        assert_eq!(request.header("content-type"), Some("application/json"));
        let body: Value = serde_json::from_str(&request.body).expect("JSON");
        assert_eq!(body, generated(file), "{file}");
    }
    insta::assert_snapshot!("essp_first_apply", stdout);

    server.clear();
    let (code, stdout, stderr) = apply(&server, Some("a2V5OnNlY3JldA=="));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(server.requests().iter().all(|r| r.method == "GET"));
    assert_eq!(stdout, "prod: 0 changed, 6 already as the spec says\n");
}

#[test]
fn essp_apply_stops_on_a_5xx_and_names_the_request() {
    let server = elasticsearch(true);
    let (code, stdout, stderr) = apply(&server, Some("k"));
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stderr.contains("PUT /_ilm/policy/caas-access-prod answered 503"),
        "{stderr}"
    );
    // Nothing after the failed PUT was sent.
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn essp_apply_without_a_key_sends_nothing() {
    let server = elasticsearch(false);
    let (code, _, stderr) = apply(&server, None);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("CHARTER_ESSP_API_KEY is not set"),
        "{stderr}"
    );
    assert!(server.requests().is_empty());
}
