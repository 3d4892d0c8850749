//! The operations artifacts of the repo's spec and both examples: ESSP index
//! templates and lifecycle policies (`essp/`), CloudWatch alarms (`alerts/`) and S3
//! lifecycle rules (`storage/`). Every file is snapshotted, checked against its JSON
//! Schema and judged by an external validator nobody on this project wrote: the
//! official Elasticsearch request types (`@elastic/elasticsearch`) through the
//! TypeScript compiler, and botocore's bundled AWS service model. Both validators
//! are installed by `scripts/install-validators.sh`; when one is missing the tests
//! fail, they are not skipped. The semantics that matter are asserted directly.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use charter::emit::{Artifact, ArtifactSet, Context};
use charter::model::{Model, Retention};
use charter::spec::DataClass;
use serde_json::{Value, json};

use crate::support;

/// The families this module covers, by path prefix.
const FAMILIES: &[&str] = &["essp/", "alerts/", "storage/"];

/// (snapshot prefix, spec directory relative to the repo root).
const SPECS: &[(&str, &str)] = &[
    ("repo", "."),
    ("container-service", "examples/container-service"),
    ("minimal", "examples/minimal"),
];

struct Built {
    model: Model,
    files: BTreeMap<String, Artifact>,
}

impl Built {
    fn json(&self, path: &str) -> Value {
        let artifact = self
            .files
            .get(path)
            .unwrap_or_else(|| panic!("{path} was not generated"));
        serde_json::from_str(&artifact.contents)
            .unwrap_or_else(|e| panic!("{path} is not JSON: {e}"))
    }

    fn under<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = &'a Artifact> + 'a {
        self.files
            .values()
            .filter(move |a| a.path.starts_with(prefix))
    }
}

fn build_dir(dir: &Path) -> Built {
    let sources = support::load(dir);
    let outcome = support::compile(&sources);
    assert!(
        !outcome.has_errors(),
        "{}",
        support::human(&sources, &outcome)
    );
    let model = outcome
        .model
        .clone()
        .expect("a spec without errors has a model");
    let context = Context {
        spec_digest: charter::emit::spec_digest(&sources),
        commit: None,
        templates: BTreeMap::new(),
    };
    let set = charter::emit::emit(&model, &context).expect("emit");
    let files = set
        .iter()
        .filter(|a| FAMILIES.iter().any(|f| a.path.starts_with(f)))
        .map(|a| (a.path.clone(), a.clone()))
        .collect();
    Built { model, files }
}

fn build(relative: &str) -> Built {
    build_dir(&support::repo_root().join(relative))
}

fn all_specs() -> Vec<(&'static str, Built)> {
    SPECS
        .iter()
        .map(|(name, dir)| (*name, build(dir)))
        .collect()
}

/// A spec written for one test, in a temporary folder.
fn build_text(text: &str) -> Built {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("charter.kdl"), text).expect("write spec");
    build_dir(dir.path())
}

// ---------------------------------------------------------------------------
// Snapshots and JSON Schemas
// ---------------------------------------------------------------------------

#[test]
fn operations_files_match_their_snapshots() {
    for (spec, built) in all_specs() {
        let listing: String = built.files.keys().fold(String::new(), |mut out, p| {
            out.push_str(p);
            out.push('\n');
            out
        });
        insta::with_settings!({snapshot_path => "snapshots/emit_operations", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(format!("{spec}-files"), listing);
            for artifact in built.files.values() {
                let name = format!("{spec}-{}", artifact.path.replace('/', "-"));
                insta::assert_snapshot!(name, artifact.contents);
            }
        });
    }
}

#[test]
fn the_families_are_emitted_where_the_spec_asks_for_them() {
    let repo = build(".");
    // 5 deployed environments (dev, staging, staging-sdm, prod, prod-sdm).
    assert_eq!(repo.model.environments.len(), 5);
    assert_eq!(
        repo.under("essp/").count(),
        5 * 3 * 2,
        "a template and a policy per environment and stream"
    );
    assert_eq!(repo.under("alerts/").count(), 5);
    assert_eq!(
        repo.under("storage/").count(),
        5,
        "every environment has its own bucket"
    );
    let ledger = build("examples/container-service");
    assert_eq!(ledger.under("essp/").count(), 2 * 3 * 2);
    assert_eq!(ledger.under("alerts/").count(), 2);
    assert_eq!(
        ledger.under("storage/").count(),
        0,
        "no s3 resource, no lifecycle"
    );
    let minimal = build("examples/minimal");
    assert_eq!(minimal.under("essp/").count(), 0, "no logging, no indices");
    assert_eq!(minimal.under("storage/").count(), 0);
    let alerts = minimal.json("alerts/dev.json");
    assert_eq!(
        alerts["alarms"],
        json!([]),
        "an environment nothing watches has an empty alarm list"
    );
}

#[test]
fn operations_files_satisfy_their_json_schemas() {
    for (spec, built) in all_specs() {
        let mut set = ArtifactSet::default();
        for artifact in built.files.values() {
            assert!(
                artifact.schema.is_some(),
                "{spec}: {} names no schema",
                artifact.path
            );
            assert!(
                !artifact.sources.is_empty(),
                "{spec}: {} names no spec node",
                artifact.path
            );
            assert!(
                artifact.contents.ends_with("}\n") && !artifact.contents.contains('\r'),
                "{}",
                artifact.path
            );
            set.insert(artifact.clone()).expect("unique paths");
        }
        let failures = charter::emit::schemas::validate(&set);
        assert!(failures.is_empty(), "{spec}: {failures:#?}");
    }
}

#[test]
fn the_schemas_reject_what_charter_must_never_write() {
    let built = build(".");
    let broken = |path: &str, edit: &dyn Fn(&mut Value)| {
        let mut value = built.json(path);
        edit(&mut value);
        let artifact = Artifact::new(path, serde_json::to_string_pretty(&value).expect("json"))
            .schema(built.files[path].schema.expect("schema"));
        let mut set = ArtifactSet::default();
        set.insert(artifact).expect("insert");
        charter::emit::schemas::validate(&set)
    };
    assert!(
        !broken(
            "essp/prod/app.index-template.json",
            &|v| v["index_patterns"] = json!(["caas-webui-app-prod-*"])
        )
        .is_empty()
    );
    assert!(
        !broken(
            "essp/prod/app.ilm.json",
            &|v| v["policy"]["phases"]["delete"]["min_age"] = json!("90 days")
        )
        .is_empty()
    );
    assert!(
        !broken("alerts/prod.json", &|v| v["alarms"][0]["Period"] =
            json!(90))
        .is_empty()
    );
    assert!(
        !broken(
            "storage/prod/s3-lifecycle.json",
            &|v| v["LifecycleConfiguration"]["Rules"][0]["Status"] = json!("On")
        )
        .is_empty()
    );
}

// ---------------------------------------------------------------------------
// External validator: the Elasticsearch request types, checked by TypeScript
// ---------------------------------------------------------------------------

/// The TypeScript compiler and the Elasticsearch client's request types, as
/// `scripts/install-validators.sh` installs them; panics (the test fails) when
/// either is missing.
fn elasticsearch_types() -> (PathBuf, PathBuf) {
    let modules = support::repo_root().join(".validators/node_modules");
    let tsc = modules.join(".bin/tsc");
    let types = modules.join("@elastic/elasticsearch/lib/api/types.d.ts");
    for path in [&tsc, &types] {
        assert!(
            path.is_file(),
            "the Elasticsearch types validator is missing ({}): run `scripts/install-validators.sh`",
            path.display()
        );
    }
    (tsc, types.with_extension("").with_extension(""))
}

/// Wraps each file (name, JSON) as `export const body: B = <json>;` with `B` the
/// request body type of its kind (index template or lifecycle policy), compiles
/// them all with `tsc --noEmit --strict --skipLibCheck` and returns the compiler's
/// errors by file name.
fn elasticsearch_problems(files: &[(String, String)]) -> BTreeMap<String, Vec<String>> {
    let (tsc, types) = elasticsearch_types();
    let temp = tempfile::tempdir().expect("temp dir");
    let mut names = Vec::new();
    for (i, (name, json)) in files.iter().enumerate() {
        let body_type = if name.ends_with(".index-template.json") {
            "Omit<IndicesPutIndexTemplateRequest, 'name' | 'create' | 'master_timeout' | 'cause'>"
        } else if name.ends_with(".ilm.json") {
            "{ policy: IlmPolicy }"
        } else {
            panic!("{name} is not an ESSP file")
        };
        let source = format!(
            "import type {{ IndicesPutIndexTemplateRequest, IlmPolicy }} from '{}';\n\
             type B = {body_type};\n\
             export const body: B = {json};\n",
            types.display()
        );
        let file = format!("f{i}.ts");
        std::fs::write(temp.path().join(&file), source).expect("write ts");
        names.push(file);
    }
    let output = Command::new(&tsc)
        .current_dir(temp.path())
        .args([
            "--noEmit",
            "--strict",
            "--skipLibCheck",
            "--pretty",
            "false",
        ])
        .args(&names)
        .output()
        .expect("tsc runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut problems: BTreeMap<String, Vec<String>> = files
        .iter()
        .map(|(name, _)| (name.clone(), Vec::new()))
        .collect();
    let mut attributed = 0;
    for line in stdout.lines() {
        let Some((file, rest)) = line.split_once('(') else {
            continue;
        };
        let Some(index) = file
            .strip_prefix('f')
            .and_then(|f| f.strip_suffix(".ts"))
            .and_then(|i| i.parse::<usize>().ok())
        else {
            continue;
        };
        problems
            .get_mut(&files[index].0)
            .expect("known file")
            .push(format!("({rest}"));
        attributed += 1;
    }
    assert!(
        output.status.success() || attributed > 0,
        "tsc failed without naming a file:\n{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    problems
}

#[test]
fn elasticsearch_types_accept_every_essp_file() {
    let mut files = Vec::new();
    for (spec, built) in all_specs() {
        files.extend(
            built
                .under("essp/")
                .map(|a| (format!("{spec}:{}", a.path), a.contents.clone())),
        );
    }
    assert_eq!(
        files.len(),
        30 + 12,
        "every ESSP file of the repo's spec and the examples"
    );
    let problems = elasticsearch_problems(&files);
    let failing: BTreeMap<_, _> = problems.iter().filter(|(_, p)| !p.is_empty()).collect();
    assert!(
        failing.is_empty(),
        "the Elasticsearch request types reject: {failing:#?}"
    );
}

#[test]
fn elasticsearch_types_reject_broken_essp_files() {
    let built = build(".");
    let edit = |path: &str, change: &dyn Fn(&mut Value)| {
        let mut value = built.json(path);
        change(&mut value);
        (
            format!("broken:{path}"),
            serde_json::to_string_pretty(&value).expect("json"),
        )
    };
    let files = vec![
        edit("essp/prod/audit.index-template.json", &|v| {
            v["template"]["mappings"]["properties"]["source_ip"]["type"] = json!("ipaddress");
        }),
        edit("essp/prod/app.index-template.json", &|v| {
            v["index_pattern"] = json!(["x"]);
        }),
        edit("essp/prod/access.index-template.json", &|v| {
            v["template"]["mappings"]["properties"]["status"]["ignore_malformd"] = json!(true);
        }),
        edit("essp/prod/app.ilm.json", &|v| {
            v["policy"]["phases"]["hot"]["actions"]["rollover"]["max_agee"] = json!("7d");
        }),
        edit("essp/prod/audit.ilm.json", &|v| {
            v["policy"]["phases"]["deletion"] = json!({"min_age": "1d"});
        }),
    ];
    let problems = elasticsearch_problems(&files);
    for (name, found) in &problems {
        assert!(
            !found.is_empty(),
            "the Elasticsearch types accept the broken {name}"
        );
    }
    let text = format!("{problems:?}");
    for needle in [
        "ipaddress",
        "index_pattern",
        "ignore_malformd",
        "max_agee",
        "deletion",
    ] {
        assert!(text.contains(needle), "no error names `{needle}`: {text}");
    }
}

// ---------------------------------------------------------------------------
// External validator: botocore's service model
// ---------------------------------------------------------------------------

/// One request for `tests/validators/botocore_check.py`.
struct Request {
    name: String,
    service: &'static str,
    operation: &'static str,
    body: Value,
}

/// Runs botocore's `ParamValidator` and the enum and limit walk over each request
/// with the Python of `.venv/`; returns the problems by request name.
fn botocore_problems(requests: &[Request]) -> BTreeMap<String, Vec<String>> {
    let root = support::repo_root();
    let python = root.join(".venv/bin/python");
    assert!(
        python.is_file(),
        "the botocore validator is missing ({}): run `scripts/install-validators.sh`",
        python.display()
    );
    let input: Vec<Value> = requests
        .iter()
        .map(|r| json!({"name": r.name, "service": r.service, "operation": r.operation, "body": r.body}))
        .collect();
    let mut child = Command::new(&python)
        .arg(root.join("tests/validators/botocore_check.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(serde_json::to_string(&input).expect("json").as_bytes())
        .expect("write stdin");
    let output = child.wait_with_output().expect("python finishes");
    assert!(
        output.status.success(),
        "botocore_check.py failed (is botocore installed? run `scripts/install-validators.sh`):\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).expect("report is JSON");
    report["results"]
        .as_object()
        .expect("results")
        .iter()
        .map(|(name, problems)| {
            let problems = problems
                .as_array()
                .expect("list")
                .iter()
                .map(|p| p.as_str().expect("text").to_string());
            (name.clone(), problems.collect())
        })
        .collect()
}

fn aws_requests(spec: &str, built: &Built) -> Vec<Request> {
    let mut requests = Vec::new();
    for artifact in built.under("alerts/") {
        let file: Value = serde_json::from_str(&artifact.contents).expect("json");
        for alarm in file["alarms"].as_array().expect("alarms") {
            requests.push(Request {
                name: format!(
                    "{spec}:{}#{}",
                    artifact.path,
                    alarm["AlarmName"].as_str().expect("name")
                ),
                service: "cloudwatch",
                operation: "PutMetricAlarm",
                body: alarm.clone(),
            });
        }
    }
    for artifact in built.under("storage/") {
        requests.push(Request {
            name: format!("{spec}:{}", artifact.path),
            service: "s3",
            operation: "PutBucketLifecycleConfiguration",
            body: serde_json::from_str(&artifact.contents).expect("json"),
        });
    }
    requests
}

#[test]
fn botocore_accepts_every_alarm_and_lifecycle_request() {
    let mut requests = Vec::new();
    for (spec, built) in all_specs() {
        requests.extend(aws_requests(spec, &built));
    }
    // The repo's spec: 13 production alerts on prod and prod-sdm, 5 of them with a
    // three-level escalation (two more alarms each), 2 staging alerts on staging and
    // staging-sdm; the ledger: 3 + 1 on prod (its page escalates once more), 1 on
    // staging. Five buckets.
    let alarms = requests
        .iter()
        .filter(|r| r.operation == "PutMetricAlarm")
        .count();
    assert_eq!(alarms, 2 * (13 + 5 * 2) + 2 * 2 + 3 + 1 + 1);
    assert_eq!(requests.len() - alarms, 5);
    let problems = botocore_problems(&requests);
    assert_eq!(problems.len(), requests.len(), "a verdict per request");
    let failing: BTreeMap<_, _> = problems.iter().filter(|(_, p)| !p.is_empty()).collect();
    assert!(failing.is_empty(), "botocore's model rejects: {failing:#?}");
}

#[test]
fn botocore_rejects_broken_requests() {
    let built = build(".");
    let alarm = built.json("alerts/prod.json")["alarms"][0].clone();
    let lifecycle = built.json("storage/prod/s3-lifecycle.json");
    let edited = |name: &str, service, operation, base: &Value, change: &dyn Fn(&mut Value)| {
        let mut body = base.clone();
        change(&mut body);
        Request {
            name: name.to_string(),
            service,
            operation,
            body,
        }
    };
    let cw = ("cloudwatch", "PutMetricAlarm");
    let s3 = ("s3", "PutBucketLifecycleConfiguration");
    let requests = vec![
        edited("comparison", cw.0, cw.1, &alarm, &|a| {
            a["ComparisonOperator"] = json!("Above");
        }),
        edited("missing-data", cw.0, cw.1, &alarm, &|a| {
            a["TreatMissingData"] = json!("zero");
        }),
        edited("period-type", cw.0, cw.1, &alarm, &|a| {
            a["Period"] = json!("300");
        }),
        edited("unknown", cw.0, cw.1, &alarm, &|a| {
            a["Runbook"] = json!("outage");
        }),
        edited("no-name", cw.0, cw.1, &alarm, &|a| {
            a.as_object_mut().expect("object").remove("AlarmName");
        }),
        edited("too-many-actions", cw.0, cw.1, &alarm, &|a| {
            a["AlarmActions"] = json!(
                (0..6)
                    .map(|i| format!("arn:aws:sns:us-west-2:333333333333:t{i}"))
                    .collect::<Vec<_>>()
            );
        }),
        edited("status", s3.0, s3.1, &lifecycle, &|l| {
            l["LifecycleConfiguration"]["Rules"][0]["Status"] = json!("On");
        }),
        edited("days-type", s3.0, s3.1, &lifecycle, &|l| {
            l["LifecycleConfiguration"]["Rules"][0]["Expiration"]["Days"] = json!("30");
        }),
        edited("rule-key", s3.0, s3.1, &lifecycle, &|l| {
            l["LifecycleConfiguration"]["Rules"][0]["Filters"] = json!({});
        }),
    ];
    let problems = botocore_problems(&requests);
    for (name, found) in &problems {
        assert!(
            !found.is_empty(),
            "botocore accepts the broken request `{name}`"
        );
    }
}

// ---------------------------------------------------------------------------
// Semantics: ESSP
// ---------------------------------------------------------------------------

fn stream_class(stream: &str) -> DataClass {
    match stream {
        "app" => DataClass::AppLogs,
        "audit" => DataClass::AuditLogs,
        _ => DataClass::AccessLogs,
    }
}

#[test]
fn lifecycle_phases_follow_the_retention_classes() {
    let mut checked = 0;
    for (spec, built) in all_specs() {
        for env in built.model.environments.values() {
            for (stream, index) in &env.logging.indices {
                let retention: Option<&Retention> = env.retention.get(&stream_class(stream));
                let policy = built.json(&format!("essp/{}/{stream}.ilm.json", env.name));
                let phases = &policy["policy"]["phases"];
                let hot = retention.and_then(|r| r.hot_days).unwrap_or(1);
                assert_eq!(phases["hot"]["min_age"], "0ms");
                assert_eq!(
                    phases["hot"]["actions"]["rollover"]["max_age"],
                    format!("{hot}d"),
                    "{spec} {} {stream}",
                    env.name
                );
                assert_eq!(
                    phases["hot"]["actions"]["rollover"]["max_primary_shard_size"],
                    "50gb"
                );
                match retention.filter(|r| !r.forever).and_then(|r| r.days) {
                    Some(days) => {
                        // ILM counts it from the rollover (at most `hot` days in):
                        // rollover age + min_age is the retention, never more.
                        assert_eq!(
                            phases["delete"]["min_age"],
                            format!("{}d", days.saturating_sub(hot)),
                            "{spec} {} {stream}",
                            env.name
                        );
                        assert_eq!(phases["delete"]["actions"], json!({"delete": {}}));
                    }
                    None => assert!(
                        phases.get("delete").is_none(),
                        "{spec} {} {stream} keeps logs",
                        env.name
                    ),
                }
                let template =
                    built.json(&format!("essp/{}/{stream}.index-template.json", env.name));
                assert_eq!(
                    template["template"]["settings"]["index.lifecycle.name"],
                    index.as_str(),
                    "the template uses the policy"
                );
                assert_eq!(policy["policy"]["_meta"]["data_stream"], index.as_str());
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 15 + 6);
    // The values the repo's spec asks for, spelled out.
    let repo = build(".");
    let delete = |env: &str, stream: &str| {
        repo.json(&format!("essp/{env}/{stream}.ilm.json"))["policy"]["phases"]["delete"]["min_age"]
            .clone()
    };
    // Retention minus the hot (rollover) age: prod app logs 90 - 7, audit 400 - 30.
    assert_eq!(delete("dev", "app"), "7d");
    assert_eq!(delete("prod", "app"), "83d");
    assert_eq!(delete("prod", "access"), "393d");
    assert_eq!(delete("prod", "audit"), "370d");
    assert_eq!(delete("prod-sdm", "audit"), "700d");
    let hot = |env: &str, stream: &str| {
        repo.json(&format!("essp/{env}/{stream}.ilm.json"))["policy"]["phases"]["hot"]["actions"]["rollover"]["max_age"].clone()
    };
    assert_eq!(hot("prod", "audit"), "30d");
    assert_eq!(hot("staging", "app"), "7d");
}

#[test]
fn logs_kept_forever_or_without_retention_have_no_delete_phase() {
    let built = build_text(
        r##"
platform "p" {
    owner "team" chat="#t" email="t@example.com"
}
app "svc" kind="container" {
    image "example.com/svc" tag="1.0.0"
    port 8080
    health "/healthz"
}
environment "dev" {
    tier "development"
    account "111111111111"
    region "us-west-2" primary=#true
}
logging {
    app level="info" index="p-app"
    audit level="metadata" index="p-audit"
    access index="p-access"
}
retention {
    audit-logs "forever" hot="30d"
    app-logs "30d"
}
lint "retention/forever" level="allow"
"##,
    );
    let phases = |stream: &str| {
        built.json(&format!("essp/dev/{stream}.ilm.json"))["policy"]["phases"].clone()
    };
    assert!(
        phases("audit").get("delete").is_none(),
        "forever: no delete phase"
    );
    assert_eq!(
        phases("audit")["hot"]["actions"]["rollover"]["max_age"],
        "30d"
    );
    assert!(
        phases("access").get("delete").is_none(),
        "no retention class: no delete phase"
    );
    assert_eq!(
        phases("access")["hot"]["actions"]["rollover"]["max_age"],
        "1d",
        "no hot duration: daily rollover"
    );
    // Daily rollover: deleted 29 days after it, 30 days after the first write.
    assert_eq!(phases("app")["delete"]["min_age"], "29d");
    assert_eq!(phases("app")["hot"]["actions"]["rollover"]["max_age"], "1d");
    let template = built.json("essp/dev/app.index-template.json");
    assert_eq!(
        template["_meta"]["record"], "generic-app-log",
        "no open-webui app: only generic fields"
    );
}

#[test]
fn sdm_twins_get_their_own_indices_templates_and_policies() {
    let repo = build(".");
    for twin in repo.model.environments.values().filter(|e| e.sdm.is_some()) {
        let base = &repo.model.environments[&twin.sdm.as_ref().expect("twin").of];
        for stream in ["app", "audit", "access"] {
            let twin_index = &twin.logging.indices[stream];
            let base_index = &base.logging.indices[stream];
            assert_ne!(twin_index, base_index, "{} {stream}", twin.name);
            let twin_template =
                repo.json(&format!("essp/{}/{stream}.index-template.json", twin.name));
            let base_template =
                repo.json(&format!("essp/{}/{stream}.index-template.json", base.name));
            assert_eq!(twin_template["index_patterns"], json!([twin_index]));
            assert_ne!(
                twin_template["index_patterns"],
                base_template["index_patterns"]
            );
            assert_ne!(
                twin_template["template"]["settings"], base_template["template"]["settings"],
                "own policy"
            );
            assert_eq!(twin_template["_meta"]["sdm_of"], base.name.as_str());
        }
    }
}

/// Whether some name matches both index patterns (`*` is the only wildcard).
fn patterns_overlap(a: &[u8], b: &[u8]) -> bool {
    fn go(a: &[u8], b: &[u8], memo: &mut BTreeMap<(usize, usize), bool>) -> bool {
        let key = (a.len(), b.len());
        if let Some(&known) = memo.get(&key) {
            return known;
        }
        let result = match (a.first(), b.first()) {
            (None, None) => true,
            (Some(b'*'), _) => go(&a[1..], b, memo) || (!b.is_empty() && go(a, &b[1..], memo)),
            (_, Some(b'*')) => go(a, &b[1..], memo) || (!a.is_empty() && go(&a[1..], b, memo)),
            (Some(x), Some(y)) => x == y && go(&a[1..], &b[1..], memo),
            _ => false,
        };
        memo.insert(key, result);
        result
    }
    go(a, b, &mut BTreeMap::new())
}

/// Pairs of templates (by path) whose patterns overlap at the same priority:
/// Elasticsearch rejects the second one.
fn same_priority_overlaps(templates: &[(String, Vec<String>, u64)]) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for (i, (a, a_patterns, a_priority)) in templates.iter().enumerate() {
        for (b, b_patterns, b_priority) in &templates[i + 1..] {
            let overlap = a_patterns.iter().any(|p| {
                b_patterns
                    .iter()
                    .any(|q| patterns_overlap(p.as_bytes(), q.as_bytes()))
            });
            if overlap && a_priority == b_priority {
                found.push((a.clone(), b.clone()));
            }
        }
    }
    found
}

#[test]
fn the_overlap_check_knows_globs() {
    assert!(patterns_overlap(
        b"caas-webui-app-prod-*",
        b"caas-webui-app-prod-sdm-*"
    ));
    assert!(patterns_overlap(b"logs-*-*", b"logs-app-prod"));
    assert!(patterns_overlap(b"a*c", b"*b*"));
    assert!(!patterns_overlap(
        b"caas-webui-app-prod",
        b"caas-webui-app-prod-sdm"
    ));
    assert!(!patterns_overlap(b"a*c", b"b*"));
    assert!(!patterns_overlap(b"logs-*-*", b"caas-webui-app-prod"));
}

#[test]
fn no_two_templates_overlap_at_the_same_priority() {
    for (spec, built) in all_specs() {
        // Every template of a spec may land in one ESSP cluster (non-production and
        // production share Kibana): check them all against each other.
        let templates: Vec<(String, Vec<String>, u64)> = built
            .under("essp/")
            .filter(|a| a.path.ends_with(".index-template.json"))
            .map(|a| {
                let t: Value = serde_json::from_str(&a.contents).expect("json");
                let patterns = t["index_patterns"]
                    .as_array()
                    .expect("patterns")
                    .iter()
                    .map(|p| p.as_str().expect("str").to_string())
                    .collect();
                (
                    a.path.clone(),
                    patterns,
                    t["priority"].as_u64().expect("priority"),
                )
            })
            .collect();
        assert!(
            same_priority_overlaps(&templates).is_empty(),
            "{spec}: {:?}",
            same_priority_overlaps(&templates)
        );
        for (path, patterns, priority) in &templates {
            assert!(
                patterns.iter().all(|p| !p.contains('*')),
                "{path}: a data stream name, no wildcard"
            );
            // Elasticsearch's built-in templates (logs-*-*, metrics-*-*) are at 100.
            assert!(*priority > 100, "{path}");
        }
        // The check is not vacuous: the obvious design, `<index>-*`, would collide
        // for every environment and its SDM twin.
        let naive: Vec<(String, Vec<String>, u64)> = templates
            .iter()
            .map(|(path, patterns, priority)| {
                (
                    path.clone(),
                    patterns.iter().map(|p| format!("{p}-*")).collect(),
                    *priority,
                )
            })
            .collect();
        let twins = built
            .model
            .environments
            .values()
            .filter(|e| e.sdm.is_some())
            .count();
        assert_eq!(same_priority_overlaps(&naive).len(), twins * 3, "{spec}");
    }
}

#[test]
fn mappings_type_the_fields_open_webui_writes() {
    let repo = build(".");
    let properties = |stream: &str| {
        repo.json(&format!("essp/prod-sdm/{stream}.index-template.json"))["template"]["mappings"]["properties"].clone()
    };
    let audit = properties("audit");
    assert_eq!(audit["source_ip"]["type"], "ip");
    assert_eq!(
        audit["timestamp"],
        json!({"type": "date", "format": "epoch_second", "ignore_malformed": true})
    );
    for field in ["id", "name", "email", "role"] {
        assert_eq!(
            audit["user"]["properties"][field]["type"], "keyword",
            "user.{field}"
        );
    }
    for field in ["request_object", "response_object"] {
        assert_eq!(
            audit[field],
            json!({"type": "object", "enabled": false}),
            "{field} is kept but never indexed"
        );
    }
    assert_eq!(audit["response_status_code"]["type"], "integer");
    for field in ["audit_level", "verb", "request_uri", "user_agent", "id"] {
        assert_eq!(audit[field]["type"], "keyword", "{field}");
    }
    // Audit entries shipped from stdout (ENABLE_AUDIT_STDOUT): the entry is under
    // `extra` of a LOG_FORMAT=json line.
    assert_eq!(audit["extra"]["properties"]["source_ip"]["type"], "ip");
    assert_eq!(audit["extra"]["properties"]["auditable"]["type"], "boolean");
    assert_eq!(
        audit["extra"]["properties"]["response_object"],
        json!({"type": "object", "enabled": false})
    );
    assert_eq!(audit["ts"]["type"], "date");
    let app = properties("app");
    for (field, kind) in [
        ("ts", "date"),
        ("level", "keyword"),
        ("msg", "text"),
        ("caller", "keyword"),
        ("stacktrace", "text"),
    ] {
        assert_eq!(app[field]["type"], kind, "app {field}");
    }
    // `error` is a string or an object depending on where Open WebUI logs from.
    assert_eq!(app["error"], json!({"type": "object", "enabled": false}));
    assert_eq!(app["extra"]["properties"]["trace_id"]["type"], "keyword");
    assert_eq!(
        app["extra"]["properties"]["request_object"],
        json!({"type": "object", "enabled": false})
    );
    let access = properties("access");
    for (field, kind) in [
        ("client_ip", "ip"),
        ("method", "keyword"),
        ("path", "keyword"),
        ("status", "integer"),
        ("bytes", "long"),
        ("duration_ms", "float"),
        ("user_agent", "keyword"),
        ("user", "keyword"),
    ] {
        assert_eq!(access[field]["type"], kind, "access {field}");
    }
    for stream in ["app", "audit", "access"] {
        let template = repo.json(&format!("essp/prod-sdm/{stream}.index-template.json"));
        assert_eq!(template["template"]["mappings"]["dynamic"], false);
        assert_eq!(template["data_stream"], json!({}));
        assert_eq!(
            properties(stream)["@timestamp"]["type"],
            "date",
            "data streams need @timestamp"
        );
    }
}

// ---------------------------------------------------------------------------
// Semantics: alarms
// ---------------------------------------------------------------------------

#[test]
fn every_alarm_routes_to_topics_of_its_own_account_and_region() {
    for (spec, built) in all_specs() {
        for env in built.model.environments.values() {
            let file = built.json(&format!("alerts/{}.json", env.name));
            let region = &env.regions[0].name;
            let prefix = format!(
                "arn:aws:sns:{region}:{}:{}-{}-",
                env.account, built.model.platform.name, env.name
            );
            assert_eq!(file["account"], env.account.as_str());
            assert_eq!(file["region"], region.as_str());
            let topics: BTreeSet<&str> = file["topics"]
                .as_array()
                .expect("topics")
                .iter()
                .map(|t| t["arn"].as_str().expect("arn"))
                .collect();
            for topic in file["topics"].as_array().expect("topics") {
                assert_eq!(
                    topic["arn"].as_str().expect("arn"),
                    format!("{prefix}{}", topic["channel"].as_str().expect("channel"))
                );
            }
            for alarm in file["alarms"].as_array().expect("alarms") {
                let name = alarm["AlarmName"].as_str().expect("name");
                for list in ["AlarmActions", "OKActions"] {
                    let arns = alarm[list].as_array().expect("actions");
                    assert!(!arns.is_empty(), "{spec} {name} notifies someone");
                    for arn in arns {
                        let arn = arn.as_str().expect("arn");
                        assert!(
                            arn.starts_with(&prefix),
                            "{spec} {name}: {arn} is not in {} {region}",
                            env.account
                        );
                        assert!(
                            topics.contains(arn),
                            "{spec} {name}: {arn} is a listed topic"
                        );
                    }
                }
            }
            for escalation in file["escalations"].as_array().expect("escalations") {
                for level in escalation["levels"].as_array().expect("levels") {
                    assert!(
                        level["topic_arn"]
                            .as_str()
                            .expect("arn")
                            .starts_with(&prefix)
                    );
                }
            }
        }
    }
}

#[test]
fn alarm_names_are_unique_per_account_and_region() {
    for (spec, built) in all_specs() {
        let mut seen: BTreeMap<(String, String, String), String> = BTreeMap::new();
        let mut topics: BTreeSet<String> = BTreeSet::new();
        for env in built.model.environments.values() {
            let file = built.json(&format!("alerts/{}.json", env.name));
            for alarm in file["alarms"].as_array().expect("alarms") {
                let name = alarm["AlarmName"].as_str().expect("name").to_string();
                let key = (
                    env.account.clone(),
                    file["region"].as_str().expect("region").to_string(),
                    name.clone(),
                );
                assert!(
                    seen.insert(key, env.name.clone()).is_none(),
                    "{spec}: alarm {name} twice"
                );
            }
            for topic in file["topics"].as_array().expect("topics") {
                assert!(
                    topics.insert(topic["arn"].as_str().expect("arn").to_string()),
                    "{spec}: topic twice"
                );
            }
        }
    }
}

#[test]
fn alarms_carry_the_alert_severity_runbook_escalation_and_catalogue_mapping() {
    let repo = build(".");
    let prod = repo.json("alerts/prod.json");
    let alarms: BTreeMap<&str, &Value> = prod["alarms"]
        .as_array()
        .expect("alarms")
        .iter()
        .map(|a| (a["AlarmName"].as_str().expect("name"), a))
        .collect();
    assert_eq!(alarms.len(), 13 + 5 * 2);

    let five_xx = alarms["caas-open-webui-prod-webui-5xx"];
    let description = five_xx["AlarmDescription"].as_str().expect("description");
    assert!(
        description.starts_with("[critical] webui-5xx on caas-open-webui prod"),
        "{description}"
    );
    assert!(
        description.contains("Runbook: docs/runbooks/prod.md#outage."),
        "{description}"
    );
    assert!(description.contains("Escalation caas-critical: caas-pager (pager caas-primary) at once, then caas-pager-secondary (pager caas-secondary) after 15m, then noc-servicenow"), "{description}");
    // Notify channels, then the escalation's first level.
    let arn = |c: &str| format!("arn:aws:sns:us-west-2:333333333333:caas-open-webui-prod-{c}");
    assert_eq!(
        five_xx["AlarmActions"],
        json!([arn("caas-slack"), arn("caas-servicenow"), arn("caas-pager")])
    );
    assert_eq!(five_xx["OKActions"], five_xx["AlarmActions"]);
    // A rate is metric math over three load balancer metrics: the targets' 5xx, the
    // load balancer's own 5xx (all there is when no target is left; CloudWatch has it
    // per load balancer only) and the requests that reached a target.
    let metrics = five_xx["Metrics"].as_array().expect("metric math");
    assert_eq!(
        metrics[0]["MetricStat"]["Metric"]["MetricName"],
        "HTTPCode_Target_5XX_Count"
    );
    assert_eq!(
        metrics[1]["MetricStat"]["Metric"]["MetricName"],
        "HTTPCode_ELB_5XX_Count"
    );
    assert_eq!(
        metrics[1]["MetricStat"]["Metric"]["Dimensions"],
        json!([{"Name": "LoadBalancer", "Value": "app/caas-open-webui-prod-webui/df0640c2d4b53606"}])
    );
    assert_eq!(
        metrics[2]["MetricStat"]["Metric"]["MetricName"],
        "RequestCount"
    );
    assert_eq!(
        metrics[3]["Expression"],
        "(FILL(target_5xx, 0) + FILL(elb_5xx, 0)) / (FILL(requests, 0) + FILL(elb_5xx, 0))"
    );
    assert_eq!(metrics[3]["ReturnData"], true);
    assert!(
        five_xx.get("InsufficientDataActions").is_none(),
        "load balancer ids come from the spec"
    );

    // Later escalation levels: an alarm each on the same metric, held longer, that
    // notifies only that level.
    let level_2 = alarms["caas-open-webui-prod-webui-5xx-level-2"];
    assert_eq!(level_2["Metrics"], five_xx["Metrics"]);
    assert_eq!(level_2["EvaluationPeriods"], 1 + 900 / 300);
    assert_eq!(level_2["DatapointsToAlarm"], level_2["EvaluationPeriods"]);
    assert_eq!(
        level_2["AlarmActions"],
        json!([arn("caas-pager-secondary")])
    );
    let level_3 = alarms["caas-open-webui-prod-webui-5xx-level-3"];
    assert_eq!(level_3["EvaluationPeriods"], 1 + 1800 / 300);
    assert_eq!(level_3["AlarmActions"], json!([arn("noc-servicenow")]));

    // A total outage: no healthy host, and no data counts as none.
    let down = alarms["caas-open-webui-prod-webui-down"];
    assert_eq!(down["MetricName"], "HealthyHostCount");
    assert_eq!(down["ComparisonOperator"], "LessThanThreshold");
    assert_eq!(
        down["Statistic"], "Maximum",
        "sustained: the most healthy hosts in the window"
    );
    assert_eq!(down["TreatMissingData"], "breaching");
    assert_eq!(metrics[0]["MetricStat"]["Period"], 300);
    assert_eq!(five_xx["Threshold"], 0.05);
    assert_eq!(five_xx["ComparisonOperator"], "GreaterThanThreshold");
    assert_eq!(
        metrics[0]["MetricStat"]["Metric"]["Dimensions"],
        json!([
            {"Name": "LoadBalancer", "Value": "app/caas-open-webui-prod-webui/df0640c2d4b53606"},
            {"Name": "TargetGroup", "Value": "targetgroup/caas-open-webui-prod-webui/3473afdfc5ec94bc"},
        ])
    );

    let latency = alarms["caas-open-webui-prod-webui-latency"];
    assert_eq!(latency["ExtendedStatistic"], "p99");
    assert_eq!(
        latency["Threshold"], 10.0,
        "10000 ms in the metric's unit, seconds"
    );
    assert_eq!(latency["Period"], 600);

    let cpu = alarms["caas-open-webui-prod-webui-cpu"];
    assert_eq!(cpu["Namespace"], "AWS/ECS");
    // ECS names are charter's guess: in production, no data notifies too.
    assert_eq!(cpu["InsufficientDataActions"], cpu["AlarmActions"]);
    assert_eq!(
        cpu["Dimensions"],
        json!([{"Name": "ClusterName", "Value": "caas-open-webui-prod"}, {"Name": "ServiceName", "Value": "webui"}])
    );
    assert!(
        cpu["AlarmDescription"]
            .as_str()
            .expect("text")
            .contains("#high-latency")
    );

    let database = alarms["caas-open-webui-prod-database-connections"];
    assert_eq!(database["Namespace"], "AWS/RDS");
    assert_eq!(database["Statistic"], "Maximum");
    assert_eq!(
        database["Dimensions"],
        json!([{"Name": "DBClusterIdentifier", "Value": "caas-open-webui-prod-postgres"}])
    );

    // A raw metric charter cannot scope: the whole account and region, by a Metrics
    // Insights query (a dimensionless alarm would watch a series that never exists).
    let delivery = alarms["caas-open-webui-prod-log-delivery-errors"];
    assert_eq!(
        delivery["Metrics"],
        json!([{
            "Id": "total",
            "Expression": "SELECT SUM(DeliveryErrors) FROM \"AWS/Logs\"",
            "Label": "the metric across the account and region",
            "Period": 900,
            "ReturnData": true,
        }])
    );
    assert!(delivery.get("Dimensions").is_none() && delivery.get("Namespace").is_none());

    let redis = alarms["caas-open-webui-prod-redis-memory"];
    assert_eq!(
        redis["Dimensions"],
        json!([{"Name": "CacheClusterId", "Value": "caas-open-webui-prod-redis"}])
    );
    assert_eq!(redis["InsufficientDataActions"], redis["AlarmActions"]);

    let unhealthy = alarms["caas-open-webui-prod-webui-unhealthy-hosts"];
    assert_eq!(unhealthy["Period"], 300);
    assert_eq!(unhealthy["TreatMissingData"], "breaching");
    assert_eq!(
        unhealthy["Statistic"], "Minimum",
        "sustained: the fewest unhealthy hosts in the window"
    );

    // Topics: only the alarms that notify a topic may publish to it.
    let slack = prod["topics"]
        .as_array()
        .expect("topics")
        .iter()
        .find(|t| t["channel"] == "caas-slack")
        .expect("slack topic");
    let publishers = &slack["policy"]["Statement"][0]["Condition"]["ArnEquals"]["aws:SourceArn"];
    let notifying: Vec<String> = alarms
        .values()
        .filter(|a| {
            a["AlarmActions"]
                .as_array()
                .expect("actions")
                .contains(&json!(arn("caas-slack")))
        })
        .map(|a| {
            format!(
                "arn:aws:cloudwatch:us-west-2:333333333333:alarm:{}",
                a["AlarmName"].as_str().expect("name")
            )
        })
        .collect();
    assert_eq!(publishers, &json!(notifying));
    assert_eq!(slack["subscriptions"], json!([]));
    assert!(
        slack["delivery"]
            .as_str()
            .expect("delivery")
            .contains("AWS Chatbot")
    );

    // The twin's alarms watch the twin's own service and load balancer.
    let twin = repo.json("alerts/prod-sdm.json");
    let twin_cpu = twin["alarms"]
        .as_array()
        .expect("alarms")
        .iter()
        .find(|a| a["AlarmName"] == "caas-open-webui-prod-sdm-webui-cpu")
        .expect("twin cpu alarm");
    assert_eq!(
        twin_cpu["Dimensions"][0]["Value"],
        "caas-open-webui-prod-sdm"
    );
    let twin_down = twin["alarms"]
        .as_array()
        .expect("alarms")
        .iter()
        .find(|a| a["AlarmName"] == "caas-open-webui-prod-sdm-pipelines-down")
        .expect("twin alarm");
    assert_eq!(twin_down["MetricName"], "HealthyHostCount");
    // The twin's own load balancer: the ids declared with `sdm=#true`.
    let lb = twin_down["Dimensions"][0]["Value"].as_str().expect("lb");
    assert!(
        lb.starts_with("app/caas-open-webui-prod-sd") && lb.ends_with("/41d7eca217a56b00"),
        "{lb}"
    );
    assert!(
        lb.len() - "app//41d7eca217a56b00".len() <= 32,
        "load balancer names fit AWS's 32 characters: {lb}"
    );

    // Every alarm of every spec: whole-minute periods, a runbook anchor that names a
    // runbook of the spec (docs/runbooks/<env>.md has one heading per runbook).
    for (spec, built) in all_specs() {
        for env in built.model.environments.values() {
            let file = built.json(&format!("alerts/{}.json", env.name));
            for alarm in file["alarms"].as_array().expect("alarms") {
                let periods: Vec<u64> = match alarm.get("Metrics") {
                    Some(metrics) => metrics
                        .as_array()
                        .expect("metrics")
                        .iter()
                        .filter_map(|m| {
                            m["MetricStat"]["Period"]
                                .as_u64()
                                .or_else(|| m["Period"].as_u64())
                        })
                        .collect(),
                    None => vec![alarm["Period"].as_u64().expect("period")],
                };
                assert!(
                    periods.iter().all(|p| *p >= 60 && p % 60 == 0),
                    "{spec}: {periods:?}"
                );
                let text = alarm["AlarmDescription"].as_str().expect("description");
                let link = format!("docs/runbooks/{}.md#", env.name);
                let anchor = text
                    .split(&link)
                    .nth(1)
                    .and_then(|rest| rest.split('.').next())
                    .expect("runbook link");
                assert!(
                    built.model.runbooks.contains_key(anchor),
                    "{spec}: #{anchor} is a runbook"
                );
                assert!(text.len() <= 1024);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Semantics: S3 lifecycle
// ---------------------------------------------------------------------------

#[test]
fn bucket_lifecycle_expires_files_after_their_retention() {
    let repo = build(".");
    for env in repo.model.environments.values() {
        let request = repo.json(&format!("storage/{}/s3-lifecycle.json", env.name));
        assert_eq!(
            request["Bucket"],
            env.resources["files"].physical_name.as_str()
        );
        assert_eq!(request["ExpectedBucketOwner"], env.account.as_str());
        let days = env.retention[&DataClass::Files]
            .days
            .expect("files retention");
        let rules = request["LifecycleConfiguration"]["Rules"]
            .as_array()
            .expect("rules");
        assert_eq!(rules[0]["ID"], "charter-files-retention");
        assert_eq!(
            rules[0]["Filter"],
            json!({"Prefix": ""}),
            "the whole bucket"
        );
        assert_eq!(
            rules[0]["Expiration"],
            json!({"Days": days}),
            "{}",
            env.name
        );
        assert_eq!(
            rules[0]["NoncurrentVersionExpiration"],
            json!({"NoncurrentDays": 1})
        );
        assert_eq!(
            rules[0]["AbortIncompleteMultipartUpload"],
            json!({"DaysAfterInitiation": 7})
        );
        assert!(rules.iter().all(|r| r["Status"] == "Enabled"));
    }
    let days = |env: &str| {
        repo.json(&format!("storage/{env}/s3-lifecycle.json"))["LifecycleConfiguration"]["Rules"][0]
            ["Expiration"]["Days"]
            .clone()
    };
    assert_eq!(days("prod"), 180);
    assert_eq!(days("prod-sdm"), 30, "SDM twins keep files 30 days");
    assert_eq!(days("dev"), 30);
    assert_ne!(
        repo.json("storage/prod-sdm/s3-lifecycle.json")["Bucket"],
        repo.json("storage/prod/s3-lifecycle.json")["Bucket"],
        "the twin has its own bucket"
    );
}

#[test]
fn files_kept_forever_get_no_expiration_rule() {
    let built = build_text(
        r##"
platform "p" {
    owner "team" chat="#t" email="t@example.com"
}
app "svc" kind="container" {
    image "example.com/svc" tag="1.0.0"
    port 8080
    health "/healthz"
    needs "files"
}
environment "dev" {
    tier "development"
    account "111111111111"
    region "us-west-2" primary=#true
    resource "files" kind="s3"
}
retention {
    files "forever"
}
lint "retention/forever" level="allow"
"##,
    );
    let request = built.json("storage/dev/s3-lifecycle.json");
    let rules = request["LifecycleConfiguration"]["Rules"]
        .as_array()
        .expect("rules");
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0]["ID"], "charter-abort-incomplete-uploads");
    assert!(
        rules[0].get("Expiration").is_none()
            && rules[0].get("NoncurrentVersionExpiration").is_none()
    );
    assert_eq!(request["Bucket"], "p-dev-files");
}

#[test]
fn a_twin_sharing_its_base_storage_gets_no_indices_or_bucket_rules_of_its_own() {
    // `storage "shared"` is an error unless waived; waived, the twin writes into its
    // base's indices and bucket, which the base's files already govern (a second
    // template for the same pattern would collide; a second lifecycle would replace
    // the first with the twin's retention).
    let built = build_text(
        r##"
platform "p" {
    owner "team" chat="#t" email="t@example.com"
}
app "svc" kind="container" {
    image "example.com/svc" tag="1.0.0"
    port 8080
    health "/healthz"
    needs "files"
}
group "sdm-users" directory="GD-SDM"
environment "prod" {
    tier "development"
    account "111111111111"
    region "us-west-2" primary=#true
    resource "files" kind="s3"
}
sdm {
    environments "prod"
    groups "sdm-users"
    storage "shared"
}
logging {
    app level="info" index="p-app"
}
retention {
    files "30d"
    app-logs "30d"
}
waiver "sdm/shared-storage" {
    reason "test"
    ticket "T-1"
    owner "team"
    expires "2027-03-31"
}
"##,
    );
    let paths: Vec<&str> = built.files.keys().map(String::as_str).collect();
    assert_eq!(
        paths,
        [
            "alerts/prod-sdm.json",
            "alerts/prod.json",
            "essp/prod/app.ilm.json",
            "essp/prod/app.index-template.json",
            "storage/prod/s3-lifecycle.json",
        ]
    );
}
