//! The app families: Katana descriptors (`katana/<env>/<app>.yaml`), Open WebUI
//! access grants (`access/<env>.json`) and secrets manifests (`secrets/<env>.yaml`).
//! Every file of the repo's spec and both examples is snapshotted and checked against
//! charter's schema (in-process and with check-jsonschema, an independent
//! implementation); the variables given to Open WebUI are checked against the names
//! Open WebUI's own code reads at the release the mapping targets (both installed by
//! `scripts/install-validators.sh`; a missing validator fails the test); and the
//! rules that matter are asserted one by one on the parsed files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use charter::emit::{Artifact, ArtifactSet};
use serde_json::Value;

use crate::support;

const SPECS: &[(&str, &str)] = &[
    ("repo", "."),
    ("minimal", "examples/minimal"),
    ("container-service", "examples/container-service"),
];

/// The family folders this module covers.
const FAMILIES: &[&str] = &["katana/", "access/", "secrets/"];

/// The Open WebUI release the mapping targets (`src/emit/open_webui.rs`).
const OPEN_WEBUI: &str = "0.11.4";

/// Every artifact of the spec in `dir`, as `charter build` emits them.
fn emit_dir(dir: &Path) -> ArtifactSet {
    let sources = support::load(dir);
    let outcome = support::compile(&sources);
    assert!(
        !outcome.has_errors(),
        "{} has errors:\n{}",
        dir.display(),
        support::human(&sources, &outcome)
    );
    let model = outcome.model.expect("a model");
    let context = charter::emit::Context {
        spec_digest: charter::emit::spec_digest(&sources),
        commit: None,
        locations: outcome.locations,
        templates: BTreeMap::new(),
    };
    charter::emit::emit(&model, &context).expect("emit")
}

fn emit(spec: &str) -> ArtifactSet {
    emit_dir(&support::repo_root().join(spec))
}

fn mine(set: &ArtifactSet) -> Vec<&Artifact> {
    set.iter()
        .filter(|a| FAMILIES.iter().any(|f| a.path.starts_with(f)))
        .collect()
}

/// A YAML or JSON artifact as data.
fn parse(artifact: &Artifact) -> Value {
    if artifact.path.to_ascii_lowercase().ends_with(".json") {
        serde_json::from_str(&artifact.contents)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", artifact.path))
    } else {
        serde_norway::from_str(&artifact.contents)
            .unwrap_or_else(|e| panic!("{} is not YAML: {e}", artifact.path))
    }
}

fn file(set: &ArtifactSet, path: &str) -> Value {
    parse(set.get(path).unwrap_or_else(|| panic!("no {path}")))
}

fn env_var<'v>(descriptor: &'v Value, name: &str) -> Option<&'v str> {
    descriptor["env"][name].as_str()
}

fn secret_ref<'v>(descriptor: &'v Value, var: &str) -> &'v Value {
    descriptor["secrets"]
        .as_array()
        .expect("secrets")
        .iter()
        .find(|s| s["env"] == var)
        .unwrap_or_else(|| panic!("no secret reference for {var}"))
}

#[test]
fn apps_snapshots() {
    for (label, spec) in SPECS {
        let set = emit(spec);
        for artifact in mine(&set) {
            let name = format!("{label}__{}", artifact.path.replace('/', "__"));
            insta::with_settings!({snapshot_path => "snapshots/emit_apps", prepend_module_to_snapshot => false}, {
                insta::assert_snapshot!(name, artifact.contents);
            });
        }
    }
}

#[test]
fn apps_files_per_spec() {
    let paths =
        |spec: &str| -> Vec<String> { mine(&emit(spec)).iter().map(|a| a.path.clone()).collect() };
    let envs = ["dev", "prod", "prod-sdm", "staging", "staging-sdm"];
    let mut expected: Vec<String> = Vec::new();
    for env in envs {
        expected.push(format!("access/{env}.json"));
    }
    for env in envs {
        expected.push(format!("katana/{env}/pipelines.yaml"));
        expected.push(format!("katana/{env}/webui.yaml"));
    }
    for env in envs {
        expected.push(format!("secrets/{env}.yaml"));
    }
    expected.sort();
    assert_eq!(paths("."), expected);
    assert_eq!(
        paths("examples/minimal"),
        ["katana/dev/hello.yaml", "secrets/dev.yaml"],
        "no Open WebUI app: no access file"
    );
    assert_eq!(
        paths("examples/container-service"),
        [
            "katana/prod/ledger-api.yaml",
            "katana/staging/ledger-api.yaml",
            "secrets/prod.yaml",
            "secrets/staging.yaml"
        ]
    );
}

#[test]
fn apps_satisfy_charters_schema() {
    for (_, spec) in SPECS {
        let set = emit(spec);
        let mut only = ArtifactSet::default();
        for artifact in mine(&set) {
            let expected = match artifact.path.split('/').next() {
                Some("katana") => "katana-app.schema.json",
                Some("access") => "access.schema.json",
                _ => "secrets.schema.json",
            };
            assert_eq!(artifact.schema, Some(expected), "{}", artifact.path);
            if !artifact.path.to_ascii_lowercase().ends_with(".json") {
                assert!(
                    artifact.contents.starts_with("# Generated by charter"),
                    "{}",
                    artifact.path
                );
            }
            assert!(artifact.contents.ends_with('\n') && !artifact.contents.ends_with("\n\n"));
            assert!(
                !artifact.sources.is_empty(),
                "{} has no provenance",
                artifact.path
            );
            only.insert(artifact.clone()).expect("unique paths");
        }
        let failures = charter::emit::schemas::validate(&only);
        assert!(failures.is_empty(), "{failures:#?}");
    }
}

#[test]
fn emitting_twice_gives_identical_files() {
    for (_, spec) in SPECS {
        let (a, b) = (emit(spec), emit(spec));
        let text = |set: &ArtifactSet| -> Vec<(String, String)> {
            mine(set)
                .iter()
                .map(|a| (a.path.clone(), a.contents.clone()))
                .collect()
        };
        assert_eq!(text(&a), text(&b));
    }
}

// ---------------------------------------------------------------------------
// Katana descriptors: the semantics
// ---------------------------------------------------------------------------

/// Whether `key` names a field anywhere in `value`.
fn has_key(value: &Value, key: &str) -> bool {
    match value {
        Value::Object(map) => map.iter().any(|(k, v)| k == key || has_key(v, key)),
        Value::Array(items) => items.iter().any(|v| has_key(v, key)),
        _ => false,
    }
}

#[test]
fn secrets_are_references_never_values() {
    let set = emit(".");
    for artifact in mine(&set) {
        // The upstream default keys never appear, and no field is named `value`.
        for forbidden in ["t0p-s3cr3t", "0p3n-w3bu!"] {
            assert!(
                !artifact.contents.contains(forbidden),
                "{} contains {forbidden}",
                artifact.path
            );
        }
        assert!(
            !has_key(&parse(artifact), "value"),
            "{} has a `value` field",
            artifact.path
        );
    }
    let prod = file(&set, "katana/prod/webui.yaml");
    for var in [
        "OAUTH_CLIENT_SECRET",
        "WEBUI_SECRET_KEY",
        "DATABASE_URL",
        "REDIS_URL",
        "OPENAI_API_KEYS",
    ] {
        assert_eq!(
            env_var(&prod, var),
            None,
            "{var} must not be a plain variable"
        );
    }
    let client = secret_ref(&prod, "OAUTH_CLIENT_SECRET");
    assert_eq!(client["store"], "ssm");
    assert_eq!(client["path"], "/caas-open-webui/prod/okta-client-secret");
    assert_eq!(client["secret"], "okta-client-secret");
    assert_eq!(
        secret_ref(&prod, "WEBUI_SECRET_KEY")["path"],
        "/caas-open-webui/prod/webui-secret-key"
    );
    assert_eq!(
        secret_ref(&prod, "DATABASE_URL")["store"],
        "secrets-manager"
    );
}

#[test]
fn webui_signs_in_through_oidc_only() {
    let set = emit(".");
    let prod = file(&set, "katana/prod/webui.yaml");
    let expect = [
        (
            "OPENID_PROVIDER_URL",
            "https://example.okta.com/oauth2/default/.well-known/openid-configuration",
        ),
        ("OAUTH_CLIENT_ID", "caas-open-webui"),
        ("OAUTH_SCOPES", "openid email profile groups"),
        ("OAUTH_PROVIDER_NAME", "okta"),
        (
            "OPENID_REDIRECT_URI",
            "https://caas.example.com/oauth/oidc/callback",
        ),
        ("OAUTH_GROUP_CLAIM", "groups"),
        ("OAUTH_GROUPS_CLAIM", "groups"),
        ("ENABLE_OAUTH_GROUP_MANAGEMENT", "true"),
        ("ENABLE_OAUTH_GROUP_CREATION", "false"),
        ("ENABLE_OAUTH_SIGNUP", "true"),
        ("ENABLE_LOGIN_FORM", "false"),
        ("ENABLE_PASSWORD_AUTH", "false"),
        ("WEBUI_URL", "https://caas.example.com"),
        ("ENABLE_PERSISTENT_CONFIG", "false"),
        ("LOG_FORMAT", "json"),
        ("GLOBAL_LOG_LEVEL", "INFO"),
        ("AUDIT_LOG_LEVEL", "METADATA"),
        ("ENABLE_AUDIT_STDOUT", "true"),
        ("BYPASS_MODEL_ACCESS_CONTROL", "false"),
        // Regular environments: every directory group may sign in, admins by group.
        ("ENABLE_OAUTH_ROLE_MANAGEMENT", "true"),
        ("OAUTH_ROLES_CLAIM", "groups"),
        (
            "OAUTH_ALLOWED_ROLES",
            "GD-CaaS-Admins,GD-CaaS-Builders,GD-CaaS-SDM,GD-CaaS-Users",
        ),
        ("OAUTH_ADMIN_ROLES", "GD-CaaS-Admins"),
    ];
    for (var, value) in expect {
        assert_eq!(env_var(&prod, var), Some(value), "{var}");
    }
    // Metadata audit keeps upstream's path exclusions and does not audit reads.
    assert_eq!(env_var(&prod, "AUDIT_EXCLUDED_PATHS"), None);
    assert_eq!(env_var(&prod, "ENABLE_AUDIT_GET_REQUESTS"), None);
    // Admins keep their reach outside the twins (upstream defaults).
    assert_eq!(env_var(&prod, "ENABLE_ADMIN_CHAT_ACCESS"), None);
}

#[test]
fn twins_are_locked_down() {
    let set = emit(".");
    for (twin, base) in [("prod-sdm", "prod"), ("staging-sdm", "staging")] {
        let webui = file(&set, &format!("katana/{twin}/webui.yaml"));
        let expect = [
            ("ENABLE_ADMIN_CHAT_ACCESS", "false"),
            ("ENABLE_ADMIN_EXPORT", "false"),
            ("ENABLE_OAUTH_ROLE_MANAGEMENT", "true"),
            ("OAUTH_ROLES_CLAIM", "groups"),
            ("OAUTH_ALLOWED_ROLES", "GD-CaaS-SDM"),
            ("OAUTH_ADMIN_ROLES", ""),
            ("DEFAULT_USER_ROLE", "pending"),
            ("AUDIT_LOG_LEVEL", "REQUEST_RESPONSE"),
            ("ENABLE_AUDIT_STDOUT", "true"),
            ("AUDIT_EXCLUDED_PATHS", ""),
            ("ENABLE_AUDIT_GET_REQUESTS", "true"),
            ("USER_PERMISSIONS_CHAT_SHARE", "false"),
            ("USER_PERMISSIONS_CHAT_ALLOW_PUBLIC_SHARING", "false"),
            ("USER_PERMISSIONS_CHAT_ALLOW_OPEN_SHARING", "false"),
            (
                "USER_PERMISSIONS_WORKSPACE_KNOWLEDGE_ALLOW_SHARING",
                "false",
            ),
            ("S3_BUCKET_NAME", &*format!("caas-open-webui-{twin}-files")),
            (
                "WEBUI_URL",
                &*format!(
                    "https://sdm.caas{}.example.com",
                    if base == "prod" { "" } else { "-staging" }
                ),
            ),
        ];
        for (var, value) in expect {
            assert_eq!(env_var(&webui, var), Some(value), "{twin}: {var}");
        }
        // Allow-list mode would audit only the listed paths: never set.
        assert_eq!(env_var(&webui, "AUDIT_INCLUDED_PATHS"), None, "{twin}");
        assert_eq!(webui["labels"]["sdm"], "true");
        // The spec's app-wide DEFAULT_USER_ROLE is overridden, and says so.
        let conflicts = webui["conflicts"].as_array().expect("conflicts");
        assert!(
            conflicts
                .iter()
                .any(|c| c["variable"] == "DEFAULT_USER_ROLE"
                    && c["spec_value"] == "user"
                    && c["charter_value"] == "pending"
                    && c["spec_source"] == "app/webui"),
            "{twin}: {conflicts:?}"
        );
        // Its own secrets, under its own prefix.
        for s in webui["secrets"].as_array().expect("secrets") {
            let paths: Vec<&str> = match s["path"].as_str() {
                Some(p) => vec![p],
                None => s["parts"]
                    .as_array()
                    .expect("parts")
                    .iter()
                    .filter_map(|p| p["path"].as_str())
                    .collect(),
            };
            for path in paths {
                assert!(
                    path.starts_with(&format!("/caas-open-webui/{twin}/")),
                    "{twin}: {path}"
                );
            }
        }
        let regular = file(&set, &format!("katana/{base}/webui.yaml"));
        assert_eq!(regular["labels"]["sdm"], "false");
        assert!(
            regular["conflicts"]
                .as_array()
                .expect("conflicts")
                .is_empty()
        );
    }
}

#[test]
fn pipelines_are_private_and_run_their_filters() {
    let set = emit(".");
    for env in ["dev", "prod", "prod-sdm", "staging", "staging-sdm"] {
        let pipelines = file(&set, &format!("katana/{env}/pipelines.yaml"));
        assert!(
            pipelines["ingress"]["public"].is_null(),
            "{env}: pipelines must have no public domain"
        );
        assert_eq!(
            pipelines["ingress"]["private"]["url"],
            format!("http://pipelines.{env}.internal:9099").as_str()
        );
        assert_eq!(
            secret_ref(&pipelines, "PIPELINES_API_KEY")["path"],
            format!("/caas-open-webui/{env}/pipelines-api-key").as_str()
        );
        let urls: Vec<&str> = env_var(&pipelines, "PIPELINES_URLS")
            .expect("PIPELINES_URLS")
            .split(';')
            .collect();
        assert_eq!(
            urls,
            [
                "https://git.example.com/caas/filters/v1.4.0/sensitivity_filter.py",
                "https://git.example.com/caas/filters/v1.4.0/pii_redaction.py"
            ],
            "{env}: priority order"
        );
        if env.ends_with("-sdm") {
            // The SDM moderation filter (sensitivity-filter) is installed, first.
            assert!(urls[0].ends_with("/sensitivity_filter.py"));
        }
        let webui = file(&set, &format!("katana/{env}/webui.yaml"));
        assert!(
            webui["ingress"]["public"]["domain"].is_string(),
            "{env}: webui is reachable by users"
        );
    }
}

#[test]
fn pipelines_connection_is_aligned_by_index() {
    let set = emit(".");
    for env in ["dev", "prod", "prod-sdm", "staging", "staging-sdm"] {
        let webui = file(&set, &format!("katana/{env}/webui.yaml"));
        let urls: Vec<&str> = env_var(&webui, "OPENAI_API_BASE_URLS")
            .expect("base URLs")
            .split(';')
            .collect();
        let keys = secret_ref(&webui, "OPENAI_API_KEYS");
        assert_eq!(keys["join"], ";");
        assert_eq!(keys["derived"], true);
        let parts = keys["parts"].as_array().expect("parts");
        assert_eq!(
            urls.len(),
            parts.len(),
            "{env}: OPENAI_API_BASE_URLS and OPENAI_API_KEYS must align"
        );
        // Index 0 is the Pipelines server of the same environment, with its own key.
        let pipelines = file(&set, &format!("katana/{env}/pipelines.yaml"));
        assert_eq!(
            Some(urls[0]),
            pipelines["ingress"]["private"]["url"].as_str()
        );
        assert_eq!(
            parts[0]["path"],
            secret_ref(&pipelines, "PIPELINES_API_KEY")["path"]
        );
    }
}

#[test]
fn webui_scales_out_safely_and_migrates_once() {
    let set = emit(".");
    for env in ["dev", "prod", "prod-sdm", "staging", "staging-sdm"] {
        let webui = file(&set, &format!("katana/{env}/webui.yaml"));
        assert!(webui["scaling"]["max"].as_u64() > Some(1));
        for (var, value) in [
            ("WEBSOCKET_MANAGER", "redis"),
            ("ENABLE_WEBSOCKET_SUPPORT", "true"),
            ("REDIS_CLUSTER", "true"),
            ("VECTOR_DB", "pgvector"),
            ("STORAGE_PROVIDER", "s3"),
            ("S3_REGION_NAME", "us-west-2"),
            ("ENABLE_DB_MIGRATIONS", "false"),
        ] {
            assert_eq!(env_var(&webui, var), Some(value), "{env}: {var}");
        }
        assert_eq!(secret_ref(&webui, "REDIS_URL")["store"], "secrets-manager");
        let hooks = webui["hooks"]["before_rollout"].as_array().expect("hooks");
        assert_eq!(hooks.len(), 1);
        assert_eq!(hooks[0]["name"], "db-migrations");
        assert_eq!(hooks[0]["replicas"], 1);
        assert_eq!(hooks[0]["env"]["ENABLE_DB_MIGRATIONS"], "true");
        assert_eq!(webui["regions"][0]["primary"], true);
    }
    // The environment's `env` wins over the app's.
    let dev = file(&set, "katana/dev/webui.yaml");
    assert_eq!(env_var(&dev, "DATABASE_POOL_SIZE"), Some("5"));
    assert_eq!(
        env_var(&file(&set, "katana/prod/webui.yaml"), "DATABASE_POOL_SIZE"),
        Some("10")
    );
}

#[test]
fn sharing_defaults_are_the_floor_of_the_admitted_groups() {
    let set = emit(".");
    let prod = file(&set, "katana/prod/webui.yaml");
    // Every group shares chats by link and knowledge and prompts with a group; only
    // builders share models and tools, and only they have the code interpreter.
    for (var, value) in [
        ("USER_PERMISSIONS_CHAT_SHARE", "true"),
        ("USER_PERMISSIONS_CHAT_ALLOW_PUBLIC_SHARING", "false"),
        ("USER_PERMISSIONS_CHAT_ALLOW_OPEN_SHARING", "false"),
        ("USER_PERMISSIONS_WORKSPACE_KNOWLEDGE_ALLOW_SHARING", "true"),
        ("USER_PERMISSIONS_WORKSPACE_PROMPTS_ALLOW_SHARING", "true"),
        ("USER_PERMISSIONS_WORKSPACE_MODELS_ALLOW_SHARING", "false"),
        ("USER_PERMISSIONS_WORKSPACE_TOOLS_ALLOW_SHARING", "false"),
        ("USER_PERMISSIONS_FEATURES_CODE_INTERPRETER", "false"),
        ("USER_PERMISSIONS_FEATURES_IMAGE_GENERATION", "false"),
        ("USER_PERMISSIONS_FEATURES_WEB_SEARCH", "true"),
        ("USER_PERMISSIONS_WORKSPACE_MODELS_ACCESS", "false"),
        ("ENABLE_COMMUNITY_SHARING", "false"),
    ] {
        assert_eq!(env_var(&prod, var), Some(value), "{var}");
    }
    // The group above the floor gets it from the access file.
    let access = file(&set, "access/prod.json");
    let builders = access["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .find(|g| g["name"] == "caas-builders")
        .expect("caas-builders");
    assert_eq!(
        builders["permissions"]["features"]["code_interpreter"],
        true
    );
    assert_eq!(builders["permissions"]["sharing"]["models"], true);
    assert_eq!(builders["permissions"]["sharing"]["public_models"], false);
    assert_eq!(access["defaults"]["share"]["chats"], "link");
}

#[test]
fn containers_get_only_what_the_spec_says() {
    let set = emit("examples/container-service");
    let prod = file(&set, "katana/prod/ledger-api.yaml");
    assert!(prod["mapping"].is_null());
    assert_eq!(prod["ingress"]["public"]["domain"], "ledger.example.com");
    assert_eq!(prod["regions"][0]["name"], "us-west-2");
    assert_eq!(prod["regions"][1]["name"], "us-east-1");
    assert_eq!(
        prod["env"],
        serde_json::json!({"DB_POOL_MAX": "40", "HTTP_REQUEST_TIMEOUT": "30s", "LOG_FORMAT": "json"})
    );
    assert_eq!(prod["hooks"]["before_rollout"], serde_json::json!([]));
    assert_eq!(
        secret_ref(&prod, "JWT_SIGNING_KEY")["path"],
        "/ledger/prod/jwt-signing-key"
    );
}

/// A one-file Open WebUI spec, for the rules the repo's spec does not exercise.
fn small_spec(scale: &str, env_lines: &str) -> ArtifactSet {
    let temp = tempfile::tempdir().expect("temp dir");
    let text = format!(
        r#"platform "chat" {{
    owner "chat-team"
}}
app "ui" kind="open-webui" {{
    image "ghcr.io/open-webui/open-webui" tag="v0.11.4"
    needs "db"
    {env_lines}
}}
environment "dev" {{
    tier "development"
    account "111111111111"
    region "us-west-2" primary=#true
    domain "chat-dev.example.com"
    {scale}
    resource "db" kind="postgres"
    secret "webui-secret-key" store="ssm" for="ui" env="WEBUI_SECRET_KEY"
}}
"#
    );
    std::fs::write(temp.path().join("charter.kdl"), text).expect("write spec");
    emit_dir(temp.path())
}

#[test]
fn a_single_replica_needs_no_redis_and_no_connection() {
    let set = small_spec(r#"scale "ui" min=1 max=1"#, "");
    let ui = file(&set, "katana/dev/ui.yaml");
    for var in [
        "WEBSOCKET_MANAGER",
        "REDIS_CLUSTER",
        "VECTOR_DB",
        "STORAGE_PROVIDER",
        "OPENAI_API_BASE_URLS",
    ] {
        assert_eq!(env_var(&ui, var), None, "{var}");
    }
    assert!(
        ui["secrets"]
            .as_array()
            .expect("secrets")
            .iter()
            .all(|s| s["env"] != "OPENAI_API_KEYS")
    );
    // No identity: no OIDC, and no role management.
    assert_eq!(env_var(&ui, "OPENID_PROVIDER_URL"), None);
    assert_eq!(env_var(&ui, "ENABLE_OAUTH_ROLE_MANAGEMENT"), None);
    // With no group, every default permission is off.
    assert_eq!(
        env_var(&ui, "USER_PERMISSIONS_FEATURES_WEB_SEARCH"),
        Some("false")
    );
    assert_eq!(env_var(&ui, "ENABLE_DB_MIGRATIONS"), Some("false"));
}

#[test]
fn spec_values_that_contradict_the_policy_are_replaced_and_reported() {
    let set = small_spec(
        r#"scale "ui" min=1 max=3"#,
        r#"env "ENABLE_PERSISTENT_CONFIG" "true"
    env "VECTOR_DB" "chroma"
    env "WEBUI_NAME" "Chat""#,
    );
    let ui = file(&set, "katana/dev/ui.yaml");
    assert_eq!(env_var(&ui, "ENABLE_PERSISTENT_CONFIG"), Some("false"));
    assert_eq!(env_var(&ui, "VECTOR_DB"), Some("pgvector"));
    assert_eq!(
        env_var(&ui, "WEBUI_NAME"),
        Some("Chat"),
        "not derived: the spec's value stands"
    );
    let conflicts: Vec<(&str, &str, &str)> = ui["conflicts"]
        .as_array()
        .expect("conflicts")
        .iter()
        .map(|c| {
            (
                c["variable"].as_str().expect("variable"),
                c["spec_value"].as_str().expect("spec value"),
                c["charter_value"].as_str().expect("charter value"),
            )
        })
        .collect();
    assert_eq!(
        conflicts,
        [
            ("ENABLE_PERSISTENT_CONFIG", "true", "false"),
            ("VECTOR_DB", "chroma", "pgvector")
        ]
    );
}

// ---------------------------------------------------------------------------
// Access grants and secrets manifests
// ---------------------------------------------------------------------------

#[test]
fn access_files_are_for_an_admin_job() {
    let set = emit(".");
    for env in ["dev", "prod", "prod-sdm", "staging", "staging-sdm"] {
        let access = file(&set, &format!("access/{env}.json"));
        let note = access["_note"].as_str().expect("_note");
        assert!(
            note.contains("cannot take groups or their grants from environment variables"),
            "{note}"
        );
        let groups = access["groups"].as_array().expect("groups");
        let names: Vec<&str> = groups.iter().filter_map(|g| g["name"].as_str()).collect();
        for g in groups {
            // OAuth group management syncs members by the Open WebUI group's name.
            assert_eq!(g["open_webui_group"], g["directory"]);
        }
        if env.ends_with("-sdm") {
            assert_eq!(
                names,
                ["caas-sdm"],
                "{env}: only the SDM groups may sign in"
            );
            assert_eq!(
                access["sign_in"]["allowed_directory_groups"],
                serde_json::json!(["GD-CaaS-SDM"])
            );
            assert_eq!(groups[0]["share"]["chats"], "none");
            assert_eq!(groups[0]["share"]["knowledge"], "none");
            assert_eq!(groups[0]["permissions"]["chat"]["share"], false);
            assert_eq!(access["twin_of"], env.trim_end_matches("-sdm"));
        } else {
            assert_eq!(
                names,
                ["caas-admins", "caas-builders", "caas-sdm", "caas-users"],
                "{env}"
            );
            assert!(access["twin_of"].is_null());
        }
        assert_eq!(access["sign_in"]["restricted"], true);
        let admins = groups.iter().find(|g| g["name"] == "caas-admins");
        if let Some(admins) = admins {
            assert_eq!(admins["role"], "admin");
            assert_eq!(
                admins["models"],
                serde_json::json!(["*", "claude-*", "gpt-4o", "gpt-4o-mini"])
            );
            assert_eq!(
                admins["unmapped_features"],
                serde_json::json!(["chat", "functions", "pipelines"])
            );
        }
    }
}

#[test]
fn secrets_manifests_list_every_consumer() {
    let set = emit(".");
    for env in ["dev", "prod", "prod-sdm", "staging", "staging-sdm"] {
        let manifest = file(&set, &format!("secrets/{env}.yaml"));
        let prefix = format!("/caas-open-webui/{env}/");
        assert_eq!(manifest["prefix"], prefix.as_str());
        let secrets = manifest["secrets"].as_array().expect("secrets");
        assert_eq!(secrets.len(), 5);
        for s in secrets {
            assert!(
                s["path"].as_str().expect("path").starts_with(&prefix),
                "{env}: {s}"
            );
            assert!(
                !s["consumers"].as_array().expect("consumers").is_empty(),
                "{env}: {s}"
            );
            assert!(s["rotation_days"].as_u64().is_some());
            let ssm = s["store"] == "ssm";
            assert_eq!(s["parameter_type"].as_str(), ssm.then_some("SecureString"));
        }
        // Every reference in the environment's descriptors is listed with its consumer.
        for app in ["webui", "pipelines"] {
            let descriptor = file(&set, &format!("katana/{env}/{app}.yaml"));
            for reference in descriptor["secrets"].as_array().expect("secrets") {
                let parts = match reference["parts"].as_array() {
                    Some(parts) => parts.clone(),
                    None => vec![reference.clone()],
                };
                for part in parts {
                    let entry = secrets
                        .iter()
                        .find(|s| s["name"] == part["secret"])
                        .unwrap_or_else(|| panic!("{env}: {part} is not in the manifest"));
                    assert_eq!(entry["path"], part["path"]);
                    assert_eq!(entry["store"], part["store"]);
                    assert!(
                        entry["consumers"]
                            .as_array()
                            .expect("consumers")
                            .iter()
                            .any(|c| c["app"] == app && c["env"] == reference["env"]),
                        "{env}: {app} {} missing from {entry}",
                        reference["env"]
                    );
                }
            }
        }
    }
    let prod = file(&set, "secrets/prod.yaml");
    let key = prod["secrets"]
        .as_array()
        .expect("secrets")
        .iter()
        .find(|s| s["name"] == "pipelines-api-key")
        .expect("pipelines-api-key");
    assert_eq!(
        key["consumers"],
        serde_json::json!([
            {"app": "pipelines", "env": "PIPELINES_API_KEY", "derived": false},
            {"app": "webui", "env": "OPENAI_API_KEYS", "derived": true},
            {"app": "webui", "env": "PIPELINES_API_KEY", "derived": false}
        ])
    );
}

// ---------------------------------------------------------------------------
// External validators
// ---------------------------------------------------------------------------

fn validator(relative: &str, what: &str) -> PathBuf {
    let path = support::repo_root().join(relative);
    assert!(
        path.is_file(),
        "{what} is missing ({}): run `scripts/install-validators.sh`",
        path.display()
    );
    path
}

fn run(command: &mut Command, what: &str) -> (bool, String) {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}: run `scripts/install-validators.sh`"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

/// Writes every file of the three families of every spec under a temp dir:
/// `<spec>/<path>`, grouped by family folder.
fn written() -> (tempfile::TempDir, BTreeMap<&'static str, Vec<PathBuf>>) {
    let temp = tempfile::tempdir().expect("temp dir");
    let mut by_family: BTreeMap<&'static str, Vec<PathBuf>> = BTreeMap::new();
    for (label, spec) in SPECS {
        let set = emit(spec);
        for artifact in mine(&set) {
            let path = temp.path().join(label).join(&artifact.path);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(&path, &artifact.contents).expect("write");
            let family = FAMILIES
                .iter()
                .find(|f| artifact.path.starts_with(*f))
                .expect("a family");
            by_family.entry(family).or_default().push(path);
        }
    }
    (temp, by_family)
}

#[test]
fn apps_pass_check_jsonschema() {
    let tool = validator(".venv/bin/check-jsonschema", "check-jsonschema");
    let schemas = support::repo_root().join("schemas");
    let names = [
        "katana-app.schema.json",
        "access.schema.json",
        "secrets.schema.json",
    ];
    // The schemas themselves are valid draft 2020-12.
    let (ok, text) = run(
        Command::new(&tool)
            .arg("--check-metaschema")
            .args(names.iter().map(|n| schemas.join(n))),
        "check-jsonschema",
    );
    assert!(ok, "a schema is not valid JSON Schema:\n{text}");
    let (_temp, by_family) = written();
    for (family, schema) in [
        ("katana/", names[0]),
        ("access/", names[1]),
        ("secrets/", names[2]),
    ] {
        let files = &by_family[family];
        let (ok, text) = run(
            Command::new(&tool)
                .arg("--schemafile")
                .arg(schemas.join(schema))
                .args(files),
            "check-jsonschema",
        );
        assert!(ok, "check-jsonschema rejects {family} files:\n{text}");
        assert!(text.contains("ok -- validation done"), "{text}");
    }
}

#[test]
fn open_webui_reads_every_variable_charter_sets() {
    let list = validator(
        &format!(".validators/open-webui-{OPEN_WEBUI}/env-names.txt"),
        &format!("Open WebUI {OPEN_WEBUI}'s settings list"),
    );
    let text = std::fs::read_to_string(&list).expect("read the settings list");
    let known: std::collections::BTreeSet<&str> = text.lines().collect();
    assert!(known.len() > 500, "the settings list looks truncated");
    let mut unknown = Vec::new();
    let mut checked = 0;
    for (label, spec) in SPECS {
        let set = emit(spec);
        for artifact in mine(&set)
            .into_iter()
            .filter(|a| a.path.starts_with("katana/"))
        {
            let descriptor = parse(artifact);
            if descriptor["kind"] != "open-webui" {
                continue;
            }
            assert_eq!(
                descriptor["mapping"],
                format!("open-webui {OPEN_WEBUI}").as_str()
            );
            let mut vars: Vec<&str> = Vec::new();
            vars.extend(
                descriptor["env"]
                    .as_object()
                    .expect("env")
                    .keys()
                    .map(String::as_str),
            );
            for hook in descriptor["hooks"]["before_rollout"]
                .as_array()
                .expect("hooks")
            {
                vars.extend(
                    hook["env"]
                        .as_object()
                        .expect("hook env")
                        .keys()
                        .map(String::as_str),
                );
            }
            // The spec also gives the webui the Pipelines key under Pipelines' own
            // name (PIPELINES_API_KEY); Open WebUI reads it as OPENAI_API_KEYS.
            vars.extend(
                descriptor["secrets"]
                    .as_array()
                    .expect("secrets")
                    .iter()
                    .filter_map(|s| s["env"].as_str())
                    .filter(|v| *v != "PIPELINES_API_KEY"),
            );
            for var in vars {
                checked += 1;
                if !known.contains(var) {
                    unknown.push(format!("{label}: {}: {var}", artifact.path));
                }
            }
        }
    }
    assert!(checked > 100, "too few variables checked: {checked}");
    assert!(
        unknown.is_empty(),
        "Open WebUI {OPEN_WEBUI} does not read:\n{}",
        unknown.join("\n")
    );
}
