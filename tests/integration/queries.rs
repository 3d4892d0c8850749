//! `charter model` and `charter who-can` on the repo's own spec: the environment
//! view (snapshots, shape, twins), access answers (globs, lineage, SDM sign-in),
//! unknown names with suggestions, JSON shapes, determinism, and a spec with errors.
//! Snapshots live under `snapshots/queries/`.

use assert_cmd::Command;
use charter::model::Model;
use charter::query::access::{ModelAnswer, ModelGrant};
use charter::query::{self, Answer};
use serde_json::Value;

use crate::support;

/// Waiver expiry is judged as of this date in every run.
const TODAY: &str = "2026-11-25";

macro_rules! snapshot {
    ($name:expr, $value:expr) => {
        insta::with_settings!({snapshot_path => "snapshots/queries", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!($name, $value);
        })
    };
}

/// The repo's own spec, compiled.
fn repo_model() -> Model {
    let sources = support::load(&support::repo_root());
    support::compile(&sources)
        .model
        .expect("the repo's spec compiles")
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

/// `charter ARGS... --today TODAY` with `--spec DIR` (the repo root by default).
fn charter_in(dir: &std::path::Path, args: &[&str]) -> Run {
    let output = Command::cargo_bin("charter")
        .expect("the charter binary is built")
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("FORCE_COLOR")
        .env_remove("COLUMNS")
        .args(args)
        .args(["--today", TODAY])
        .output()
        .expect("charter runs");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    }
}

fn charter(args: &[&str]) -> Run {
    charter_in(&support::repo_root(), args)
}

fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect()
}

fn names(answer: &ModelAnswer, env: &str) -> Vec<String> {
    answer
        .environments
        .iter()
        .find(|e| e.place.environment == env)
        .unwrap_or_else(|| panic!("no `{env}` in the answer"))
        .groups
        .iter()
        .map(|g| g.group.clone())
        .collect()
}

fn grant(pattern: &str, granted_by: &str) -> ModelGrant {
    ModelGrant {
        pattern: pattern.to_string(),
        granted_by: granted_by.to_string(),
    }
}

// --- charter model --------------------------------------------------------------

#[test]
fn model_prod_snapshot() {
    let run = charter(&["model", "--env", "prod"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.stderr, "");
    snapshot!("model-prod", run.stdout);
}

#[test]
fn model_prod_sdm_snapshot() {
    let run = charter(&["model", "--env", "prod-sdm"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    snapshot!("model-prod-sdm", run.stdout);
}

#[test]
fn model_prints_the_library_view() {
    let model = repo_model();
    for env in model.environments.keys() {
        let view = charter::model::environment_view(&model, env).expect("a known environment");
        let run = charter(&["model", "--env", env]);
        assert_eq!(run.code, Some(0), "{env}: {}", run.stderr);
        assert_eq!(run.json(), view, "{env}");
        assert!(run.stdout.ends_with("}\n"), "{env}: one trailing newline");
    }
    assert_eq!(
        charter::model::environment_view(&model, "base"),
        None,
        "abstract"
    );
    assert_eq!(charter::model::environment_view(&model, "nope"), None);
}

#[test]
fn model_view_has_a_stable_shape() {
    let model = repo_model();
    let view = charter::model::environment_view(&model, "staging").expect("staging");
    assert_eq!(
        keys(&view),
        [
            "schema",
            "platform",
            "identity",
            "environment",
            "apps",
            "groups",
            "alerts"
        ]
    );
    assert_eq!(view["schema"], 1);
    assert_eq!(view["environment"]["name"], "staging");
    assert_eq!(view["environment"]["sdm"], Value::Null);
    let webui = &view["apps"]["webui"];
    assert_eq!(webui["kind"], "open-webui");
    assert_eq!(webui["scale"]["min"], 2);
    assert_eq!(webui["scale"]["max"], 4);
    assert_eq!(
        view["apps"]["pipelines"]["secrets"],
        serde_json::json!(["pipelines-api-key"])
    );
    assert_eq!(
        keys(&view["groups"]),
        ["caas-admins", "caas-builders", "caas-sdm", "caas-users"]
    );
    assert_eq!(
        keys(&view["groups"]["caas-admins"]),
        [
            "name",
            "directory",
            "lineage",
            "role",
            "models",
            "features",
            "share"
        ]
    );
    assert_eq!(
        view["alerts"],
        serde_json::json!(["staging-pipelines-down", "staging-webui-5xx"])
    );
}

#[test]
fn model_twin_admits_only_sdm_groups_and_admins_with_the_twins_sharing() {
    let model = repo_model();
    let view = charter::model::environment_view(&model, "prod-sdm").expect("prod-sdm");
    assert_eq!(view["environment"]["sdm"]["of"], "prod");
    // The admins stay admins on every site (someone administers the twin).
    assert_eq!(keys(&view["groups"]), ["caas-admins", "caas-sdm"]);
    let share = &view["groups"]["caas-sdm"]["share"];
    // The twin's `sdm share` wins per object; the group's other levels stay.
    assert_eq!(share["chats"], "none");
    assert_eq!(share["knowledge"], "none");
    assert_eq!(share["prompts"], "group");
    // The regular environment keeps the group's own sharing.
    let prod = charter::model::environment_view(&model, "prod").expect("prod");
    assert_eq!(prod["groups"]["caas-sdm"]["share"]["chats"], "link");
    // Alerts selected by tier cover the twin too.
    assert_eq!(view["alerts"], prod["alerts"]);
}

#[test]
fn model_is_deterministic() {
    let first = charter(&["model", "--env", "prod-sdm"]);
    let second = charter(&["model", "--env", "prod-sdm"]);
    assert_eq!(first.stdout, second.stdout);
}

#[test]
fn model_unknown_environment_lists_them_and_suggests() {
    let run = charter(&["model", "--env", "prd"]);
    assert_eq!(run.code, Some(1));
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.contains("unknown environment `prd`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("did you mean `prod`?"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("staging-sdm"), "{}", run.stderr);
}

#[test]
fn query_commands_on_a_spec_with_errors_print_the_findings() {
    let dir = tempfile::tempdir().expect("temp dir");
    let minimal =
        std::fs::read_to_string(support::repo_root().join("examples/minimal/charter.kdl"))
            .expect("the minimal example");
    std::fs::write(
        dir.path().join("charter.kdl"),
        format!("{minimal}\nenvironment \"broken\" extends=\"nowhere\" {{\n}}\n"),
    )
    .expect("write the spec");
    let questions: [&[&str]; 3] = [
        &["model", "--env", "dev"],
        &["who-can", "--model", "gpt-4o"],
        &["graph"],
    ];
    for args in questions {
        let run = charter_in(dir.path(), args);
        assert_eq!(run.code, Some(1), "{args:?}: {}", run.stderr);
        assert!(
            run.stdout.contains("spec/unknown-reference") && run.stdout.contains("nowhere"),
            "{args:?}: the findings, as validate prints them:\n{}",
            run.stdout
        );
    }
}

// --- charter who-can --model ------------------------------------------------------

#[test]
fn gpt_4o_in_prod_is_caas_users_and_its_children() {
    let model = repo_model();
    let answer = query::model_access(&model, "gpt-4o", Some("prod")).expect("prod");
    assert_eq!(answer.environments.len(), 1);
    assert_eq!(
        names(&answer, "prod"),
        ["caas-admins", "caas-builders", "caas-sdm", "caas-users"]
    );
    let groups = &answer.environments[0].groups;
    assert_eq!(groups[0].directory.as_deref(), Some("GD-CaaS-Admins"));
    // The admins have it twice: from caas-users, and by their own `*`.
    assert_eq!(
        groups[0].grants,
        [grant("gpt-4o", "caas-users"), grant("*", "caas-admins")]
    );
    for user in &groups[1..] {
        assert_eq!(
            user.grants,
            [grant("gpt-4o", "caas-users")],
            "{}",
            user.group
        );
    }
}

#[test]
fn gpt_4o_in_prod_sdm_is_only_caas_sdm_and_the_admins() {
    let model = repo_model();
    let answer = query::model_access(&model, "gpt-4o", None).expect("every environment");
    assert_eq!(names(&answer, "prod-sdm"), ["caas-admins", "caas-sdm"]);
    assert_eq!(names(&answer, "staging-sdm"), ["caas-admins", "caas-sdm"]);
    let twin = &answer
        .environments
        .iter()
        .find(|e| e.place.environment == "prod-sdm");
    let place = &twin.expect("prod-sdm").place;
    assert_eq!(place.twin_of.as_deref(), Some("prod"));
    assert_eq!(
        place.sign_in,
        Some(vec!["caas-admins".to_string(), "caas-sdm".to_string()])
    );
}

#[test]
fn claude_3_opus_is_granted_by_the_claude_glob() {
    let model = repo_model();
    let answer = query::model_access(&model, "claude-3-opus", Some("staging")).expect("staging");
    let users = &answer.environments[0].groups;
    let caas_users = users
        .iter()
        .find(|u| u.group == "caas-users")
        .expect("caas-users");
    assert_eq!(caas_users.grants, [grant("claude-*", "caas-users")]);
    assert_eq!(users.len(), 4);
}

#[test]
fn any_model_is_granted_to_admins_by_their_star() {
    let model = repo_model();
    let answer = query::model_access(&model, "llama-3-70b", None).expect("every environment");
    // Admins sign in everywhere, twins included.
    for env in &answer.environments {
        assert_eq!(env.groups.len(), 1, "{}", env.place.environment);
        assert_eq!(env.groups[0].group, "caas-admins");
        assert_eq!(env.groups[0].grants, [grant("*", "caas-admins")]);
    }
}

#[test]
fn an_unknown_model_is_an_answer() {
    let model = repo_model();
    let mut model = model;
    // Without the admins' `*`, nobody can use an unlisted model.
    model.groups.remove("caas-admins");
    let answer = query::model_access(&model, "no-such-model", None).expect("answers");
    assert!(answer.environments.iter().all(|e| e.groups.is_empty()));
    let text = query::human::render(&Answer::Model(answer));
    assert_eq!(
        text,
        "No group can use model `no-such-model` in any environment: no `models` pattern of a group that may sign in matches it.\n"
    );

    // On the repo's spec the admins' `*` answers it, on the twins too.
    let run = charter(&["who-can", "--model", "no-such-model", "--env", "prod-sdm"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stdout.contains("caas-admins"), "{}", run.stdout);
    assert!(
        !run.stdout
            .lines()
            .any(|l| l.trim_start().starts_with("caas-sdm")),
        "{}",
        run.stdout
    );
}

#[test]
fn who_can_model_human_snapshot() {
    let run = charter(&["who-can", "--model", "gpt-4o"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    snapshot!("who-can-model-gpt-4o", run.stdout);
}

#[test]
fn who_can_model_json_shape() {
    let run = charter(&["who-can", "--model", "gpt-4o", "--format", "json"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let json = run.json();
    assert_eq!(keys(&json), ["schema", "question", "model", "environments"]);
    assert_eq!(json["schema"], 1);
    assert_eq!(json["question"], "model");
    let envs = json["environments"].as_array().expect("an array");
    let names: Vec<&str> = envs
        .iter()
        .map(|e| e["environment"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["dev", "prod", "prod-sdm", "staging", "staging-sdm"]);
    assert_eq!(
        keys(&envs[0]),
        ["environment", "tier", "twin_of", "sign_in", "groups"]
    );
    assert_eq!(envs[0]["sign_in"], Value::Null);
    assert_eq!(
        envs[2]["sign_in"],
        serde_json::json!(["caas-admins", "caas-sdm"])
    );
    assert_eq!(
        keys(&envs[0]["groups"][0]),
        ["group", "directory", "grants"]
    );
    assert_eq!(
        keys(&envs[0]["groups"][0]["grants"][0]),
        ["pattern", "granted_by"]
    );
}

// --- charter who-can --group ------------------------------------------------------

#[test]
fn builders_can_sign_in_everywhere_but_the_twins() {
    let model = repo_model();
    let answer = query::group_access(&model, "caas-builders", None).expect("a group");
    assert_eq!(answer.lineage, ["caas-users"]);
    for env in &answer.environments {
        let twin = env.place.twin_of.is_some();
        assert_eq!(env.access.is_none(), twin, "{}", env.place.environment);
    }
    let dev = answer.environments[0].access.as_ref().expect("dev");
    assert_eq!(dev.role.as_str(), "user");
    let tools = dev
        .features
        .iter()
        .find(|f| f.feature == "tools")
        .expect("tools");
    assert_eq!(tools.granted_by, "caas-builders");
    let chat = dev
        .features
        .iter()
        .find(|f| f.feature == "chat")
        .expect("chat");
    assert_eq!(chat.granted_by, "caas-users");
    assert_eq!(dev.share["models"].as_str(), "group");
}

#[test]
fn the_sdm_group_gets_the_twins_sharing_on_twins() {
    let model = repo_model();
    let answer = query::group_access(&model, "caas-sdm", Some("staging-sdm")).expect("a group");
    let access = answer.environments[0].access.as_ref().expect("admitted");
    assert_eq!(access.share["chats"].as_str(), "none");
    assert_eq!(access.share["knowledge"].as_str(), "none");
    assert_eq!(access.share["prompts"].as_str(), "group");
}

#[test]
fn who_can_group_human_snapshot() {
    let run = charter(&["who-can", "--group", "caas-admins"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    snapshot!("who-can-group-caas-admins", run.stdout);
}

#[test]
fn who_can_group_json_shape() {
    let run = charter(&["who-can", "--group", "caas-sdm", "--format", "json"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let json = run.json();
    assert_eq!(
        keys(&json),
        [
            "schema",
            "question",
            "group",
            "directory",
            "lineage",
            "environments"
        ]
    );
    assert_eq!(json["question"], "group");
    let env = &json["environments"][0];
    assert_eq!(
        keys(env),
        ["environment", "tier", "twin_of", "sign_in", "access"]
    );
    assert_eq!(
        keys(&env["access"]),
        ["role", "models", "features", "share"]
    );
    assert_eq!(
        keys(&env["access"]["features"][0]),
        ["feature", "granted_by"]
    );

    let admins = charter(&[
        "who-can",
        "--group",
        "caas-admins",
        "--env",
        "prod-sdm",
        "--format",
        "json",
    ]);
    // Admins may sign in to the twins: they stay admins on every site.
    assert_eq!(
        admins.json()["environments"][0]["access"]["role"],
        Value::from("admin")
    );
}

// --- charter who-can --feature ----------------------------------------------------

#[test]
fn web_search_is_held_by_every_group_that_may_sign_in() {
    let model = repo_model();
    let answer = query::feature_access(&model, "web-search", None).expect("a feature");
    for env in &answer.environments {
        let holders: Vec<&str> = env.groups.iter().map(|g| g.group.as_str()).collect();
        if env.place.twin_of.is_some() {
            assert_eq!(holders, ["caas-admins", "caas-sdm"]);
        } else {
            assert_eq!(
                holders,
                ["caas-admins", "caas-builders", "caas-sdm", "caas-users"]
            );
        }
        assert!(env.groups.iter().all(|g| g.granted_by == "caas-users"));
    }
    let tools = query::feature_access(&model, "tools", Some("prod")).expect("a feature");
    let holders: Vec<(&str, &str)> = tools.environments[0]
        .groups
        .iter()
        .map(|g| (g.group.as_str(), g.granted_by.as_str()))
        .collect();
    assert_eq!(
        holders,
        [
            ("caas-admins", "caas-builders"),
            ("caas-builders", "caas-builders")
        ]
    );
}

#[test]
fn who_can_feature_human_snapshot() {
    let run = charter(&["who-can", "--feature", "tools"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    snapshot!("who-can-feature-tools", run.stdout);
}

#[test]
fn who_can_feature_json_shape() {
    let run = charter(&[
        "who-can",
        "--feature",
        "chat",
        "--env",
        "dev",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let json = run.json();
    assert_eq!(
        keys(&json),
        ["schema", "question", "feature", "environments"]
    );
    let env = &json["environments"][0];
    assert_eq!(
        keys(env),
        ["environment", "tier", "twin_of", "sign_in", "groups"]
    );
    assert_eq!(
        keys(&env["groups"][0]),
        ["group", "directory", "granted_by"]
    );
}

// --- unknown names ----------------------------------------------------------------

#[test]
fn unknown_names_exit_1_with_a_suggestion() {
    let cases: [(&[&str], &str, &str); 4] = [
        (
            &["who-can", "--group", "caas-admns"],
            "unknown group `caas-admns`",
            "did you mean `caas-admins`?",
        ),
        (
            &["who-can", "--feature", "websearch"],
            "unknown feature `websearch`",
            "did you mean `web-search`?",
        ),
        (
            &["who-can", "--model", "gpt-4o", "--env", "stagng"],
            "unknown environment `stagng`",
            "did you mean `staging`?",
        ),
        (
            &["who-can", "--group", "caas-users", "--env", "qa"],
            "unknown environment `qa`",
            "environments: dev, prod, prod-sdm, staging, staging-sdm",
        ),
    ];
    for (args, message, help) in cases {
        let run = charter(args);
        assert_eq!(run.code, Some(1), "{args:?}");
        assert_eq!(run.stdout, "", "{args:?}");
        assert!(run.stderr.contains(message), "{args:?}: {}", run.stderr);
        // miette wraps long help lines; compare without line breaks.
        let stderr: String = run.stderr.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(stderr.contains(help), "{args:?}: {}", run.stderr);
    }
}

#[test]
fn unknown_names_from_the_library() {
    let model = repo_model();
    let err = query::group_access(&model, "caas-admns", None).expect_err("unknown");
    assert_eq!(err.kind, "group");
    assert!(
        err.help.starts_with("did you mean `caas-admins`?"),
        "{}",
        err.help
    );
    let err = query::feature_access(&model, "web-search", Some("prd")).expect_err("unknown env");
    assert_eq!((err.kind, err.name.as_str()), ("environment", "prd"));
    let err = query::feature_access(&model, "sharing", None).expect_err("unknown feature");
    assert_eq!(err.kind, "feature");
    assert!(
        err.help.contains("features: chat, code-interpreter"),
        "{}",
        err.help
    );
}
