//! `charter apply open-webui` against a recording server that keeps groups and
//! model grants the way Open WebUI 0.11.4 does (`routers/groups.py`,
//! `routers/models.py`: a model's access update replaces all its grants; a model
//! with no database entry answers 404): groups are created or updated by name with
//! the policy's permissions, each model gets one union of its groups' read grants,
//! write grants stay, a second apply only reads, and a 5xx stops the apply.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::recording::{self, Recorder, Request};
use crate::support;

/// The models the fake site serves.
const MODELS: &[&str] = &["claude-3-opus", "gpt-4o", "gpt-4o-mini", "llama3:8b"];

#[derive(Default)]
struct Site {
    groups: Vec<Value>,
    /// Model id → its grants, for models with a database entry.
    grants: BTreeMap<String, Vec<Value>>,
}

/// A fake Open WebUI. It starts with a hand-made group, an outdated
/// `GD-CaaS-Users`, and `llama3:8b` in the database with a hand-given read grant
/// to a user and a write grant to its editor.
fn open_webui(failing: bool) -> Recorder {
    let site = Arc::new(Mutex::new(Site {
        groups: vec![
            json!({"id": "g-hand", "name": "Hand-Made", "description": "by hand", "permissions": {}}),
            json!({"id": "g-users", "name": "GD-CaaS-Users", "description": "old", "permissions": {"chat": {"export": true}}}),
        ],
        grants: BTreeMap::from([(
            "llama3:8b".to_string(),
            vec![
                json!({"id": "a1", "principal_type": "user", "principal_id": "u-1", "permission": "read"}),
                json!({"id": "a2", "principal_type": "user", "principal_id": "u-editor", "permission": "write"}),
            ],
        )]),
    }));
    Recorder::start(move |request: &Request| {
        let mut site = site.lock().expect("lock");
        let body = || -> Value { serde_json::from_str(&request.body).expect("a JSON body") };
        let (path, query) = request.path.split_once('?').unwrap_or((&request.path, ""));
        match (request.method.as_str(), path) {
            ("POST", _) if failing => (500, json!({"detail": "database is locked"}).to_string()),
            ("GET", "/api/v1/groups/") => (200, Value::from(site.groups.clone()).to_string()),
            ("POST", "/api/v1/groups/create") => {
                let mut group = body();
                group["id"] = json!(format!("g-{}", site.groups.len()));
                site.groups.push(group.clone());
                (200, group.to_string())
            }
            ("POST", path) if path.starts_with("/api/v1/groups/id/") => {
                let id = path.split('/').nth(5).expect("an id");
                let form = body();
                let group = site
                    .groups
                    .iter_mut()
                    .find(|g| g["id"] == id)
                    .expect("a known group");
                for key in ["name", "description", "permissions"] {
                    group[key] = form[key].clone();
                }
                (200, group.to_string())
            }
            ("GET", "/api/models") => (
                200,
                json!({"data": MODELS.iter().map(|m| json!({"id": m, "name": m})).collect::<Vec<_>>()})
                    .to_string(),
            ),
            ("GET", "/api/v1/models/model") => {
                let id = query.strip_prefix("id=").expect("?id=").replace("%3A", ":");
                match site.grants.get(&id) {
                    Some(grants) => (200, json!({"id": id, "access_grants": grants}).to_string()),
                    None => (404, json!({"detail": "We could not find what you're looking for :/"}).to_string()),
                }
            }
            ("POST", "/api/v1/models/model/access/update") => {
                let form = body();
                let id = form["id"].as_str().expect("id").to_string();
                let grants = form["access_grants"].as_array().expect("grants").clone();
                site.grants.insert(id.clone(), grants);
                (200, json!({"id": id}).to_string())
            }
            _ => (404, json!({"detail": "Not Found"}).to_string()),
        }
    })
}

fn apply(server: &Recorder, env: &str, key: Option<&str>) -> (i32, String, String) {
    let mut command = support::charter_bin();
    command
        .args(["apply", "open-webui", "--env", env])
        .env("CHARTER_OPENWEBUI_URL", &server.url);
    match key {
        Some(key) => command.env("CHARTER_OPENWEBUI_API_KEY", key),
        None => command.env_remove("CHARTER_OPENWEBUI_API_KEY"),
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

/// The group ids the site gave each Open WebUI group, by name.
fn group_ids(server: &Recorder) -> BTreeMap<String, String> {
    let mut ids = BTreeMap::new();
    for r in server.requests() {
        if r.method == "POST" && r.path == "/api/v1/groups/create" {
            let body: Value = serde_json::from_str(&r.body).expect("JSON");
            let n = ids.len() + 2;
            ids.insert(
                body["name"].as_str().expect("name").to_string(),
                format!("g-{n}"),
            );
        }
    }
    ids.insert("GD-CaaS-Users".to_string(), "g-users".to_string());
    ids
}

#[test]
fn open_webui_apply_creates_groups_and_sends_one_union_per_model() {
    let server = open_webui(false);
    let (code, stdout, stderr) = apply(&server, "prod", Some("sk-admin"));
    assert_eq!(code, 2, "{stdout}{stderr}");
    let requests = server.requests();
    for request in &requests {
        assert_eq!(request.header("authorization"), Some("Bearer sk-admin"));
    }
    let policy = generated("access/shared/policy-1.json");
    // Groups: created by name with the policy's permissions, the outdated one
    // updated in place, the hand-made one untouched.
    let create_forms: Vec<Value> = requests
        .iter()
        .filter(|r| r.path == "/api/v1/groups/create")
        .map(|r| serde_json::from_str(&r.body).expect("JSON"))
        .collect();
    let created: Vec<&str> = create_forms
        .iter()
        .filter_map(|g| g["name"].as_str())
        .collect();
    assert_eq!(
        created,
        ["GD-CaaS-Admins", "GD-CaaS-Builders", "GD-CaaS-SDM"]
    );
    for form in &create_forms {
        let grant = policy["grants"]
            .as_array()
            .expect("grants")
            .iter()
            .find(|g| g["open_webui_group"] == form["name"])
            .expect("a grant of the policy");
        assert_eq!(form["permissions"], grant["permissions"]);
        assert!(
            form["description"]
                .as_str()
                .expect("description")
                .starts_with("charter group")
        );
    }
    let updates: Vec<&Request> = requests
        .iter()
        .filter(|r| r.path.starts_with("/api/v1/groups/id/"))
        .collect();
    assert_eq!(updates.len(), 1);
    assert_eq!(updates[0].path, "/api/v1/groups/id/g-users/update");
    assert!(!requests.iter().any(|r| r.path.contains("g-hand")));
    // Models: one access update per model, never one per group.
    let ids = group_ids(&server);
    let sent: BTreeMap<String, Vec<Value>> = requests
        .iter()
        .filter(|r| r.path == "/api/v1/models/model/access/update")
        .map(|r| {
            let body: Value = serde_json::from_str(&r.body).expect("JSON");
            (
                body["id"].as_str().expect("id").to_string(),
                body["access_grants"].as_array().expect("grants").clone(),
            )
        })
        .collect();
    assert_eq!(
        sent.keys().collect::<Vec<_>>(),
        MODELS.iter().collect::<Vec<_>>(),
        "each model once"
    );
    let readers = |model: &str| -> Vec<&str> {
        let mut names: Vec<&str> = sent[model]
            .iter()
            .filter(|g| g["permission"] == "read")
            .map(|g| {
                assert_eq!(g["principal_type"], "group");
                let id = g["principal_id"].as_str().expect("id");
                ids.iter()
                    .find(|(_, v)| *v == id)
                    .expect("a group")
                    .0
                    .as_str()
            })
            .collect();
        names.sort_unstable();
        names
    };
    assert_eq!(
        readers("gpt-4o-mini"),
        [
            "GD-CaaS-Admins",
            "GD-CaaS-Builders",
            "GD-CaaS-SDM",
            "GD-CaaS-Users"
        ]
    );
    // `*` is the admins' only: a model no other pattern matches is theirs alone.
    assert_eq!(readers("llama3:8b"), ["GD-CaaS-Admins"]);
    // The editor's write grant stays; the hand-given read grant is gone.
    let llama: Vec<(&str, &str)> = sent["llama3:8b"]
        .iter()
        .filter(|g| g["principal_type"] == "user")
        .map(|g| {
            (
                g["principal_id"].as_str().unwrap_or(""),
                g["permission"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(llama, [("u-editor", "write")]);
    insta::assert_snapshot!("open_webui_first_apply", stdout);

    server.clear();
    let (code, stdout, stderr) = apply(&server, "prod", Some("sk-admin"));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(server.requests().iter().all(|r| r.method == "GET"));
    assert_eq!(stdout, "prod: 0 changed, 8 already as the spec says\n");
}

#[test]
fn open_webui_apply_on_a_twin_grants_only_its_groups() {
    let server = open_webui(false);
    let (code, stdout, stderr) = apply(&server, "prod-sdm", Some("sk-admin"));
    assert_eq!(code, 2, "{stdout}{stderr}");
    let created: Vec<String> = server
        .requests()
        .iter()
        .filter(|r| r.path == "/api/v1/groups/create")
        .map(|r| {
            let body: Value = serde_json::from_str(&r.body).expect("JSON");
            body["name"].as_str().expect("name").to_string()
        })
        .collect();
    assert_eq!(created, ["GD-CaaS-Admins", "GD-CaaS-SDM"]);
    assert!(
        !server.requests().iter().any(|r| r.path.contains("g-users")),
        "a group the twin does not admit is not touched"
    );
}

#[test]
fn open_webui_apply_stops_on_a_5xx_and_names_the_request() {
    let server = open_webui(true);
    let (code, stdout, stderr) = apply(&server, "prod", Some("sk-admin"));
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stderr.contains("POST /api/v1/groups/create answered 500"),
        "{stderr}"
    );
    // Nothing after the failed call was sent.
    let requests = server.requests();
    assert_eq!(
        requests.last().expect("a request").path,
        "/api/v1/groups/create"
    );
    assert_eq!(requests.len(), 2);
}

#[test]
fn open_webui_apply_without_a_key_sends_nothing() {
    let server = open_webui(false);
    let (code, _, stderr) = apply(&server, "prod", None);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("CHARTER_OPENWEBUI_API_KEY is not set")
            && stderr.contains("webui-admin-key"),
        "{stderr}"
    );
    assert!(server.requests().is_empty());
}
