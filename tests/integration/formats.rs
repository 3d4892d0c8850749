//! The machine-readable report formats, judged by the tools that consume them.
//!
//! - SARIF (`--format sarif`): every log passes Microsoft's SARIF Multitool
//!   `validate` (the SARIF 2.1.0 JSON schema, the SARIF rules and GitHub's ingestion
//!   rules), installed by `scripts/install-validators.sh`; a missing validator fails
//!   these tests. Each log also keeps the rules GitHub's upload enforces on its own:
//!   every message-like field an object with `text`, every result's `ruleId` among
//!   the rules at `ruleIndex`, relative URIs, 1-based regions that are never empty.
//! - GitHub annotations (`--format github`): one workflow command per finding, which,
//!   parsed the way the Actions runner parses it, gives back the finding's file,
//!   position, code and message.
//!
//! Snapshots live under `snapshots/formats/`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;
use charter::diag::code::Code;
use charter::diag::render_sarif;
use serde_json::{Value, json};
use tempfile::TempDir;

use crate::support;

/// Waiver expiry is judged as of this date in every run.
const TODAY: &str = "2026-11-25";

macro_rules! snapshot {
    ($name:expr, $value:expr) => {
        insta::with_settings!({snapshot_path => "snapshots/formats", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!($name, $value);
        })
    };
}

// ---------------------------------------------------------------------------
// Specs
// ---------------------------------------------------------------------------

/// A spec with errors and warnings in two files, related locations in both:
/// `env/missing-resource` in `environments/dev.kdl`, `waiver/expired` and two
/// `retention/long-conversations` warnings in `charter.kdl`.
const FINDINGS_SPEC: &[(&str, &str)] = &[
    (
        "charter.kdl",
        r#"platform "demo" {
    owner "demo-team"
}

app "api" kind="container" {
    image "ghcr.io/example-org/api" tag="1.0.0"
    port 8080
    needs "postgres"
}

retention {
    conversations "400d"
}

waiver "retention/long-conversations" {
    environments "dev"
    reason "Legal hold for the Q3 investigation"
    ticket "CHG0012345"
    owner "demo-team"
    expires "2026-06-30"
}
"#,
    ),
    (
        "environments/dev.kdl",
        r#"environment "dev" {
    tier "development"
    account "111111111111"
    region "us-west-2"
}
"#,
    ),
    (
        "environments/staging.kdl",
        r#"environment "staging" {
    tier "staging"
    account "222222222222"
    region "us-west-2"
    resource "postgres" kind="postgres"
}
"#,
    ),
];

/// A spec whose findings only warn (`retention/long-conversations`).
const WARNINGS_SPEC: &[(&str, &str)] = &[(
    "charter.kdl",
    r#"platform "demo" {
    owner "demo-team"
}

app "api" kind="container" {
    image "ghcr.io/example-org/api" tag="1.0.0"
    port 8080
}

environment "dev" {
    tier "development"
    account "111111111111"
    region "us-west-2"
}

retention {
    conversations "400d"
}
"#,
)];

/// A spec whose message quotes `%`, `,` and `:` (an invalid resource name), for a
/// directory whose name has all three and a space.
const ESCAPING_SPEC: &[(&str, &str)] = &[(
    "charter.kdl",
    r#"platform "demo" {
    owner "demo-team"
}

app "api" kind="container" {
    image "ghcr.io/example-org/api" tag="1.0.0"
    port 8080
    needs "pg%,x:y"
}

environment "dev" {
    tier "development"
    account "111111111111"
    region "us-west-2"
}
"#,
)];

/// A directory name that workflow-command properties must escape.
const AWKWARD_DIR: &str = "spec,v1:50% done";

/// A temporary directory holding the spec `files` under `dir`.
fn spec_in(dir: &str, files: &[(&str, &str)]) -> TempDir {
    let temp = tempfile::tempdir().expect("temp dir");
    for (path, text) in files {
        let path = temp.path().join(dir).join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(&path, text).expect("write spec file");
    }
    temp
}

/// Every spec directory in the repository: the fixtures, the examples and the
/// repository's own spec, as paths relative to the repository root.
fn repo_specs() -> Vec<String> {
    fn sub_dirs(dir: &Path) -> Vec<PathBuf> {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
            .map(|entry| entry.expect("a directory entry").path())
            .filter(|path| path.is_dir())
            .collect();
        dirs.sort();
        dirs
    }
    let root = support::repo_root();
    let mut dirs = Vec::new();
    for family in sub_dirs(&root.join("tests/fixtures")) {
        dirs.extend(sub_dirs(&family));
    }
    dirs.extend(sub_dirs(&root.join("examples")));
    let mut specs: Vec<String> = dirs
        .iter()
        .map(|dir| {
            dir.strip_prefix(&root)
                .expect("under the repository")
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    specs.push(".".to_string());
    specs
}

// ---------------------------------------------------------------------------
// The binary
// ---------------------------------------------------------------------------

/// What one run of the binary produced.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// `charter validate --today TODAY --spec SPEC --format FORMAT` in `dir`.
fn validate(dir: &Path, spec: &str, format: &str) -> Run {
    let output = Command::cargo_bin("charter")
        .expect("the charter binary is built")
        .current_dir(dir)
        .args([
            "validate", "--today", TODAY, "--spec", spec, "--format", format,
        ])
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS")
        .output()
        .expect("charter runs");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

impl Run {
    fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code,
            Some(code),
            "expected exit code {code}\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

// ---------------------------------------------------------------------------
// The SARIF Multitool
// ---------------------------------------------------------------------------

/// The Multitool's configuration: rule SARIF2006 (are the URIs reachable over
/// HTTP) is off, so that validation stays offline and makes no requests.
const MULTITOOL_CONFIG: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<Properties>
  <Properties Key="SARIF2006.UrisShouldBeReachable.Options">
    <Property Key="RuleEnabled" Value="Disabled" />
  </Properties>
</Properties>
"#;

/// The Multitool binary that `scripts/install-validators.sh` installs; panics (the
/// test fails, it is not skipped) when it is missing.
fn multitool() -> PathBuf {
    let platform = match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    };
    let tool = support::repo_root()
        .join(".validators/node_modules/@microsoft")
        .join(format!("sarif-multitool-{platform}"))
        .join("Sarif.Multitool");
    assert!(
        tool.is_file(),
        "the SARIF validator is missing ({}): run `scripts/install-validators.sh`",
        tool.display()
    );
    tool
}

/// Runs `Sarif.Multitool validate` once over `logs` (name, text) and returns, by
/// name, every error and warning it reports (the SARIF 2.1.0 schema, the SARIF rules
/// and GitHub's ingestion rules). Notes are advice (message ids and arguments
/// instead of text, snippets, version control provenance) and do not count.
fn multitool_problems(logs: &[(String, String)]) -> BTreeMap<String, Vec<String>> {
    let tool = multitool();
    let temp = tempfile::tempdir().expect("temp dir");
    let config = temp.path().join("multitool.xml");
    std::fs::write(&config, MULTITOOL_CONFIG).expect("write the Multitool configuration");
    let mut files = Vec::new();
    let mut names = BTreeMap::new();
    for (i, (name, text)) in logs.iter().enumerate() {
        let file = format!("{i:04}.sarif");
        std::fs::write(temp.path().join(&file), text).expect("write a SARIF log");
        names.insert(file.clone(), name.clone());
        files.push(temp.path().join(file));
    }
    let output_path = temp.path().join("validation.sarif");
    let output = Process::new(&tool)
        .arg("validate")
        .args(&files)
        .arg("--output")
        .arg(&output_path)
        .args(["--log", "ForceOverwrite", "--rule-kind", "Sarif;Gh"])
        .arg("--config")
        .arg(&config)
        .env("DOTNET_CLI_TELEMETRY_OPTOUT", "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", tool.display()));
    let console = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success() && console.contains(&format!("{} files scanned", files.len())),
        "Sarif.Multitool validate did not scan the {} logs ({}):\n{console}",
        files.len(),
        output.status
    );
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(&output_path).expect("the Multitool wrote its log"),
    )
    .expect("the Multitool's log is JSON");
    let run = &report["runs"][0];
    assert_eq!(
        run["invocations"][0]["executionSuccessful"],
        json!(true),
        "Sarif.Multitool validate failed:\n{console}"
    );
    let mut problems: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for result in run["results"].as_array().expect("results") {
        let level = result["level"].as_str().unwrap_or("warning");
        if !matches!(level, "error" | "warning") {
            continue;
        }
        let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap_or_default();
        let file = uri.rsplit('/').next().unwrap_or_default();
        let name = names.get(file).cloned().unwrap_or_else(|| uri.to_string());
        let text = multitool_message(run, result);
        problems.entry(name).or_default().push(format!(
            "{level} {}: {text}",
            result["ruleId"].as_str().unwrap_or("?")
        ));
    }
    problems
}

/// A Multitool result's message: its rule's message string with the arguments.
fn multitool_message(run: &Value, result: &Value) -> String {
    let message = &result["message"];
    if let Some(text) = message["text"].as_str() {
        return text.to_string();
    }
    let id = message["id"].as_str().unwrap_or_default();
    let template = run["tool"]["driver"]["rules"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|rule| rule["id"] == result["ruleId"])
        .and_then(|rule| rule["messageStrings"][id]["text"].as_str())
        .unwrap_or(id);
    let mut text = template.to_string();
    for (i, argument) in message["arguments"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        text = text.replace(&format!("{{{i}}}"), argument.as_str().unwrap_or_default());
    }
    text
}

/// Fails with the problems, by log (the first few of each, for the first logs).
fn assert_no_problems(what: &str, problems: &BTreeMap<String, Vec<String>>) {
    const LOGS: usize = 10;
    const PER_LOG: usize = 5;
    let mut report: Vec<String> = problems
        .iter()
        .take(LOGS)
        .map(|(name, list)| {
            let mut lines: Vec<&str> = list.iter().take(PER_LOG).map(String::as_str).collect();
            let more = format!("... and {} more", list.len().saturating_sub(PER_LOG));
            if list.len() > PER_LOG {
                lines.push(&more);
            }
            format!("{name}:\n  {}", lines.join("\n  "))
        })
        .collect();
    if problems.len() > LOGS {
        report.push(format!("... and {} more logs", problems.len() - LOGS));
    }
    assert!(
        problems.is_empty(),
        "{what}: {} log(s) with problems:\n{}",
        problems.len(),
        report.join("\n")
    );
}

// ---------------------------------------------------------------------------
// GitHub's rules for uploaded SARIF
// ---------------------------------------------------------------------------

/// Fields that hold a message (or, for `snippet`, artifact content): GitHub rejects
/// a bare string there; each must be an object with `text`.
const MESSAGE_FIELDS: &[&str] = &[
    "message",
    "shortDescription",
    "fullDescription",
    "help",
    "snippet",
];

/// Decodes `%XX` escapes in a URI reference.
fn percent_decode(uri: &str) -> String {
    let bytes = uri.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out).expect("a UTF-8 path")
}

/// Every message-like field anywhere in `value` is an object with a string `text`.
fn check_message_fields(value: &Value, path: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let child_path = format!("{path}.{key}");
                if MESSAGE_FIELDS.contains(&key.as_str()) && !child["text"].is_string() {
                    out.push(format!(
                        "{child_path} is not an object with `text`: {child}"
                    ));
                }
                if key == "text" && !child.is_string() {
                    out.push(format!("{child_path} is not a string"));
                }
                check_message_fields(child, &child_path, out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_message_fields(item, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// A location GitHub can place: a relative URI (under `repo`, when given, an
/// existing file) and a 1-based region that is not empty.
fn check_location(location: &Value, path: &str, repo: Option<&Path>, out: &mut Vec<String>) {
    let physical = &location["physicalLocation"];
    let Some(uri) = physical["artifactLocation"]["uri"].as_str() else {
        out.push(format!("{path}: no physicalLocation.artifactLocation.uri"));
        return;
    };
    if uri.is_empty()
        || uri.starts_with('/')
        || uri.contains(':')
        || uri.contains('\\')
        || uri
            .split('/')
            .any(|segment| segment == ".." || segment == ".")
    {
        out.push(format!("{path}: URI `{uri}` is not a plain relative path"));
    } else if let Some(repo) = repo {
        let file = repo.join(percent_decode(uri));
        if !file.is_file() {
            out.push(format!(
                "{path}: URI `{uri}` names no file in the repository"
            ));
        }
    }
    let region = &physical["region"];
    let number = |key: &str| region[key].as_u64();
    let (Some(start_line), Some(start_column)) = (number("startLine"), number("startColumn"))
    else {
        out.push(format!(
            "{path}: region without startLine and startColumn: {region}"
        ));
        return;
    };
    if start_line < 1 || start_column < 1 {
        out.push(format!("{path}: region is not 1-based: {region}"));
    }
    let end_line = number("endLine").unwrap_or(start_line);
    if end_line < start_line {
        out.push(format!("{path}: region ends before it starts: {region}"));
    }
    if end_line == start_line && number("endColumn").is_none_or(|end| end <= start_column) {
        out.push(format!(
            "{path}: one-line region without endColumn > startColumn: {region}"
        ));
    }
}

/// What GitHub's upload (and charter's own contract) would reject in a log:
/// `repo` is where relative URIs must resolve, when the log is for a repo spec.
fn github_problems(log: &Value, repo: Option<&Path>) -> Vec<String> {
    let mut out = Vec::new();
    if log["version"] != "2.1.0" || !log["$schema"].is_string() {
        out.push("not a SARIF 2.1.0 log with a $schema".to_string());
    }
    check_message_fields(log, "$", &mut out);
    let Some([run]) = log["runs"].as_array().map(Vec::as_slice) else {
        out.push("not exactly one run".to_string());
        return out;
    };
    let driver = &run["tool"]["driver"];
    if driver["name"] != "charter" {
        out.push(format!("tool.driver.name is {}", driver["name"]));
    }
    let rules: Vec<&str> = driver["rules"]
        .as_array()
        .map(|rules| {
            rules
                .iter()
                .map(|r| r["id"].as_str().unwrap_or(""))
                .collect()
        })
        .unwrap_or_default();
    if rules.is_empty() {
        out.push("tool.driver.rules is empty".to_string());
    }
    for (i, result) in run["results"].as_array().into_iter().flatten().enumerate() {
        let path = format!("results[{i}]");
        let rule_id = result["ruleId"].as_str().unwrap_or_default();
        match rules.iter().position(|id| *id == rule_id) {
            None => out.push(format!(
                "{path}: ruleId `{rule_id}` is not in tool.driver.rules"
            )),
            Some(index) if result["ruleIndex"].as_u64() != u64::try_from(index).ok() => {
                out.push(format!(
                    "{path}: ruleIndex {} but `{rule_id}` is rules[{index}]",
                    result["ruleIndex"]
                ));
            }
            Some(_) => {}
        }
        if !matches!(result["level"].as_str(), Some("error" | "warning")) {
            out.push(format!("{path}: level {}", result["level"]));
        }
        if result["message"]["text"].as_str().is_none_or(str::is_empty) {
            out.push(format!("{path}: empty message"));
        }
        match result["locations"].as_array() {
            Some(locations) if !locations.is_empty() => {
                for (j, location) in locations.iter().enumerate() {
                    check_location(location, &format!("{path}.locations[{j}]"), repo, &mut out);
                }
            }
            _ => out.push(format!("{path}: no locations")),
        }
        for (j, location) in result["relatedLocations"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            let related = format!("{path}.relatedLocations[{j}]");
            check_location(location, &related, repo, &mut out);
            if !location["message"]["text"].is_string() {
                out.push(format!("{related}: no message"));
            }
        }
    }
    out
}

/// The SARIF log that charter renders for a repo spec (`root` relative to the repo).
fn repo_log(root: &str) -> (String, usize) {
    let sources = support::load(&support::repo_root().join(root));
    let outcome = support::compile(&sources);
    (
        render_sarif::render(&sources, &outcome.findings, root),
        outcome.findings.len(),
    )
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

fn results(log: &Value) -> &[Value] {
    log["runs"][0]["results"]
        .as_array()
        .map_or(&[], Vec::as_slice)
}

// ---------------------------------------------------------------------------
// SARIF tests
// ---------------------------------------------------------------------------

/// Every repo spec (fixtures with errors and warnings, examples, the repo's own
/// clean spec) renders a log that the Multitool and GitHub's rules accept, with one
/// result per finding.
#[test]
fn sarif_logs_pass_the_multitool_and_githubs_rules() {
    let repo = support::repo_root();
    let mut logs = Vec::new();
    let mut failures = Vec::new();
    let (mut errors, mut warnings, mut related, mut clean) = (0, 0, 0, 0);
    for root in repo_specs() {
        let (text, findings) = repo_log(&root);
        let log = parse(&text);
        let results = results(&log);
        if results.len() != findings {
            failures.push(format!(
                "{root}: {} results for {findings} findings",
                results.len()
            ));
        }
        for problem in github_problems(&log, Some(&repo)) {
            failures.push(format!("{root}: {problem}"));
        }
        clean += usize::from(results.is_empty());
        for result in results {
            errors += usize::from(result["level"] == "error");
            warnings += usize::from(result["level"] == "warning");
            related += usize::from(result["relatedLocations"].is_array());
        }
        logs.push((root, text));
    }
    assert!(
        failures.is_empty(),
        "GitHub would reject these logs:\n{}",
        failures.join("\n")
    );
    assert!(
        errors > 0 && warnings > 0 && related > 0 && clean > 0,
        "the specs must cover errors ({errors}), warnings ({warnings}), related locations \
         ({related}) and clean logs ({clean})"
    );
    assert_no_problems("Sarif.Multitool validate", &multitool_problems(&logs));
}

/// The validators are alive: the Multitool and the GitHub checks reject logs that
/// GitHub's upload rejects (a bare-string message, a 0-based column, an absolute
/// path, a wrong rule index, an empty region), and accept the log they came from.
#[test]
fn sarif_validators_reject_what_github_rejects() {
    let (text, _) = repo_log("tests/fixtures/env/missing-resource");
    let log = parse(&text);
    assert!(!results(&log).is_empty(), "the fixture reports a finding");
    let mutate = |change: &dyn Fn(&mut Value)| {
        let mut copy = log.clone();
        change(&mut copy);
        copy
    };
    let region = "/runs/0/results/0/locations/0/physicalLocation/region";
    let bare_message = mutate(&|l| l["runs"][0]["results"][0]["message"] = json!("bare"));
    let zero_column = mutate(&|l| {
        *l.pointer_mut(&format!("{region}/startColumn"))
            .expect("a column") = json!(0);
    });
    let github_only = [
        (
            "absolute path",
            mutate(&|l| {
                *l.pointer_mut(
                    "/runs/0/results/0/locations/0/physicalLocation/artifactLocation/uri",
                )
                .expect("a URI") = json!("/abs/charter.kdl");
            }),
        ),
        (
            "wrong rule index",
            mutate(&|l| l["runs"][0]["results"][0]["ruleIndex"] = json!(0)),
        ),
        (
            "empty region",
            mutate(&|l| {
                let region = l.pointer_mut(region).expect("a region");
                region["endLine"] = region["startLine"].clone();
                region["endColumn"] = region["startColumn"].clone();
            }),
        ),
        (
            "unknown rule",
            mutate(&|l| l["runs"][0]["results"][0]["ruleId"] = json!("nope/nope")),
        ),
    ];
    for (what, bad) in [
        ("bare-string message", &bare_message),
        ("0-based column", &zero_column),
    ]
    .into_iter()
    .chain(github_only.iter().map(|(what, bad)| (*what, bad)))
    {
        assert!(
            !github_problems(bad, None).is_empty(),
            "the GitHub checks accept a log with a {what}"
        );
    }
    assert_eq!(github_problems(&log, None), Vec::<String>::new());

    let logs = [
        ("pristine".to_string(), text.clone()),
        ("bare-message".to_string(), bare_message.to_string()),
        ("zero-column".to_string(), zero_column.to_string()),
    ];
    let problems = multitool_problems(&logs);
    assert!(
        !problems.contains_key("pristine"),
        "the Multitool rejects charter's log: {problems:#?}"
    );
    for name in ["bare-message", "zero-column"] {
        assert!(
            problems.contains_key(name),
            "the Multitool accepts the `{name}` log: {problems:#?}"
        );
    }
}

/// The rules are the code registry, in order (so `ruleIndex` is stable per
/// release), each with a friendly name distinct from its id and a help URI whose
/// anchor is the code's heading in docs/codes.md.
#[test]
fn sarif_rules_are_the_code_registry() {
    let (text, _) = repo_log(".");
    let log = parse(&text);
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    let ids: Vec<&str> = rules
        .iter()
        .map(|r| r["id"].as_str().unwrap_or(""))
        .collect();
    let codes: Vec<&str> = Code::ALL.iter().map(|c| c.name()).collect();
    assert_eq!(ids, codes);
    let codes_md =
        std::fs::read_to_string(support::repo_root().join("docs/codes.md")).expect("docs/codes.md");
    for rule in rules {
        let id = rule["id"].as_str().unwrap_or_default();
        let name = rule["name"].as_str().unwrap_or_default();
        assert!(
            name != id && name.chars().all(|c| c.is_ascii_alphanumeric()),
            "rule `{id}`: name `{name}` is not a Pascal-case friendly name"
        );
        let anchor = rule["helpUri"]
            .as_str()
            .and_then(|uri| uri.split_once("/docs/codes.md#"))
            .map_or_else(
                || {
                    panic!(
                        "rule `{id}`: helpUri {} is not into docs/codes.md",
                        rule["helpUri"]
                    )
                },
                |(_, anchor)| anchor,
            );
        // GitHub's heading anchors: lowercase, punctuation other than `-` dropped.
        let heading = codes_md.lines().find(|line| {
            line.strip_prefix("## ").is_some_and(|title| {
                title
                    .to_lowercase()
                    .chars()
                    .filter(|c| c.is_alphanumeric() || *c == '-' || *c == '_')
                    .collect::<String>()
                    == anchor
            })
        });
        assert!(
            heading.is_some(),
            "rule `{id}`: no heading in docs/codes.md for #{anchor}"
        );
    }
}

/// The binary's SARIF with a relative `--spec`: URIs are prefixed with it, the log
/// validates, and the exit code follows the findings (1 with errors, 0 with only
/// warnings or none). The log for the findings spec is snapshotted (rules and
/// version elided: the registry test covers them).
#[test]
fn sarif_from_the_cli_prefixes_the_spec_and_validates() {
    let findings = spec_in("policy", FINDINGS_SPEC);
    let warnings = spec_in("policy", WARNINGS_SPEC);
    let findings_run = validate(findings.path(), "policy", "sarif");
    findings_run.assert_code(1);
    let warnings_run = validate(warnings.path(), "./policy/", "sarif");
    warnings_run.assert_code(0);
    let clean_run = validate(&support::repo_root(), "examples/minimal", "sarif");
    clean_run.assert_code(0);

    let findings_log = findings_run.json();
    let warnings_log = warnings_run.json();
    let clean_log = clean_run.json();
    for (dir, log) in [
        (findings.path(), &findings_log),
        (warnings.path(), &warnings_log),
        (support::repo_root().as_path(), &clean_log),
    ] {
        assert_eq!(github_problems(log, Some(dir)), Vec::<String>::new());
    }
    let levels = |log: &Value| -> Vec<String> {
        results(log)
            .iter()
            .map(|r| r["level"].as_str().unwrap_or("").to_string())
            .collect()
    };
    assert!(levels(&findings_log).contains(&"error".to_string()));
    assert!(levels(&findings_log).contains(&"warning".to_string()));
    assert!(!levels(&warnings_log).is_empty());
    assert!(levels(&warnings_log).iter().all(|l| l == "warning"));
    assert!(results(&clean_log).is_empty());
    for log in [&findings_log, &warnings_log] {
        for result in results(log) {
            for location in result["locations"]
                .as_array()
                .into_iter()
                .chain(result["relatedLocations"].as_array())
                .flatten()
            {
                let uri = location["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap_or_default();
                assert!(
                    uri.starts_with("policy/"),
                    "URI `{uri}` lacks the --spec prefix"
                );
            }
        }
    }

    assert_no_problems(
        "Sarif.Multitool validate",
        &multitool_problems(&[
            ("findings".to_string(), findings_run.stdout.clone()),
            ("warnings".to_string(), warnings_run.stdout.clone()),
            ("clean".to_string(), clean_run.stdout.clone()),
        ]),
    );

    let mut shown = findings_log.clone();
    let driver = &mut shown["runs"][0]["tool"]["driver"];
    driver["version"] = json!("[version]");
    driver["rules"] = json!("[one rule per code, in registry order]");
    for result in shown["runs"][0]["results"].as_array_mut().expect("results") {
        result["ruleIndex"] = json!("[index]");
    }
    snapshot!(
        "sarif-log",
        serde_json::to_string_pretty(&shown).expect("JSON")
    );
}

// ---------------------------------------------------------------------------
// GitHub annotations
// ---------------------------------------------------------------------------

/// One workflow command, parsed the way the Actions runner parses it.
#[derive(Debug)]
struct Annotation {
    level: String,
    properties: BTreeMap<String, String>,
    message: String,
}

/// Reverses the runner's escaping: `%25`, `%0D`, `%0A`, and in properties `%3A`
/// and `%2C`.
fn unescape(text: &str, property: bool) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let code = rest.get(at + 1..at + 3).unwrap_or_default();
        let decoded = match code {
            "25" => Some('%'),
            "0D" => Some('\r'),
            "0A" => Some('\n'),
            "3A" if property => Some(':'),
            "2C" if property => Some(','),
            _ => None,
        };
        if let Some(c) = decoded {
            out.push(c);
            rest = &rest[at + 3..];
        } else {
            out.push('%');
            rest = &rest[at + 1..];
        }
    }
    out.push_str(rest);
    out
}

/// `::LEVEL key=value,...::message`, or what is wrong with the line.
fn parse_annotation(line: &str) -> Result<Annotation, String> {
    let body = line
        .strip_prefix("::")
        .ok_or_else(|| format!("not a workflow command: {line:?}"))?;
    let (info, data) = body
        .split_once("::")
        .ok_or_else(|| format!("no `::` before the message: {line:?}"))?;
    let (level, props) = info.split_once(' ').unwrap_or((info, ""));
    if !matches!(level, "error" | "warning") {
        return Err(format!(
            "command `{level}` is not error or warning: {line:?}"
        ));
    }
    let mut properties = BTreeMap::new();
    for pair in props.split(',').filter(|p| !p.is_empty()) {
        let (key, value) = pair
            .split_once('=')
            .ok_or_else(|| format!("property `{pair}` has no `=`: {line:?}"))?;
        if properties
            .insert(key.to_string(), unescape(value, true))
            .is_some()
        {
            return Err(format!("property `{key}` twice: {line:?}"));
        }
    }
    Ok(Annotation {
        level: level.to_string(),
        properties,
        message: unescape(data, false),
    })
}

/// The annotations of a run match its JSON findings one to one: level, file
/// (prefixed with `prefix`), line, column, code, message and help; `endColumn`, when
/// given, is past `col`.
fn annotation_problems(annotations: &str, findings: &Value, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    let findings = findings["findings"].as_array().expect("findings");
    let lines: Vec<&str> = annotations.lines().collect();
    if !annotations.is_empty() && !annotations.ends_with('\n') {
        out.push("the output does not end with a newline".to_string());
    }
    if lines.len() != findings.len() {
        out.push(format!(
            "{} annotation lines for {} findings:\n{annotations}",
            lines.len(),
            findings.len()
        ));
    }
    for (line, finding) in lines.iter().zip(findings) {
        let annotation = match parse_annotation(line) {
            Ok(annotation) => annotation,
            Err(problem) => {
                out.push(problem);
                continue;
            }
        };
        let mut message = finding["message"].as_str().unwrap_or_default().to_string();
        if let Some(help) = finding["help"].as_str() {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        let file = finding["file"].as_str().unwrap_or_default();
        let file = if prefix.is_empty() {
            file.to_string()
        } else {
            format!("{prefix}/{file}")
        };
        let property = |key: &str| annotation.properties.get(key).map(String::as_str);
        let expected = [
            (
                "level",
                Some(finding["severity"].as_str().unwrap_or_default().to_string()),
            ),
            ("file", Some(file)),
            ("line", Some(finding["line"].to_string())),
            ("col", Some(finding["column"].to_string())),
            (
                "title",
                Some(finding["code"].as_str().unwrap_or_default().to_string()),
            ),
        ];
        for (key, want) in expected {
            let got = if key == "level" {
                Some(annotation.level.as_str())
            } else {
                property(key)
            };
            if got != want.as_deref() {
                out.push(format!("{line}\n  {key}: expected {want:?}, got {got:?}"));
            }
        }
        if annotation.message != message {
            out.push(format!(
                "{line}\n  message: expected {message:?}, got {:?}",
                annotation.message
            ));
        }
        let number = |key: &str| property(key).and_then(|v| v.parse::<usize>().ok());
        if let (Some(col), Some(end)) = (number("col"), number("endColumn"))
            && end <= col
        {
            out.push(format!("{line}\n  endColumn {end} is not past col {col}"));
        }
        if let (Some(start), Some(end)) = (number("line"), number("endLine"))
            && end <= start
        {
            out.push(format!("{line}\n  endLine {end} is not past line {start}"));
        }
        for key in annotation.properties.keys() {
            if !["file", "line", "col", "endLine", "endColumn", "title"].contains(&key.as_str()) {
                out.push(format!("{line}\n  unknown property `{key}`"));
            }
        }
    }
    out
}

/// Annotations for fixtures and the findings spec, from relative `--spec` paths,
/// match the JSON findings one to one; the exit code is 1 with errors and 0 with
/// only warnings. The findings spec's annotations are snapshotted.
#[test]
fn github_annotations_are_one_command_per_finding() {
    let repo = support::repo_root();
    let findings = spec_in("policy", FINDINGS_SPEC);
    let warnings = spec_in("policy", WARNINGS_SPEC);
    let cases: Vec<(PathBuf, &str, i32)> = vec![
        (findings.path().to_path_buf(), "policy", 1),
        (warnings.path().to_path_buf(), "policy", 0),
        (repo.clone(), "tests/fixtures/env/missing-resource", 1),
        (repo.clone(), "tests/fixtures/syntax/invalid-kdl-several", 1),
        (repo.clone(), "tests/fixtures/spec/missing-node-empty", 1),
        (repo.clone(), "tests/fixtures/syntax/not-utf8", 1),
        (
            repo.clone(),
            "tests/fixtures/waiver/unused-other-environment",
            0,
        ),
    ];
    let mut failures = Vec::new();
    for (dir, spec, code) in &cases {
        let github = validate(dir, spec, "github");
        github.assert_code(*code);
        let json = validate(dir, spec, "json");
        json.assert_code(*code);
        assert!(
            !github.stdout.is_empty(),
            "{spec}: no annotations\n{}",
            github.stderr
        );
        for problem in annotation_problems(&github.stdout, &json.json(), spec) {
            failures.push(format!("{spec}: {problem}"));
        }
    }
    assert!(
        failures.is_empty(),
        "annotations that do not match the findings:\n{}",
        failures.join("\n")
    );
    let run = validate(findings.path(), "policy", "github");
    assert!(run.stdout.contains("::error ") && run.stdout.contains("::warning "));
    snapshot!("github-annotations", run.stdout);
}

/// A clean spec: exit 0 and no output at all.
#[test]
fn github_annotations_for_a_clean_spec_are_empty() {
    let run = validate(&support::repo_root(), "examples/minimal", "github");
    run.assert_code(0);
    assert_eq!(run.stdout, "", "a clean spec prints no annotations");
}

/// `%`, `:` and `,` in a file path, and `%` and line breaks in a message, are
/// escaped: the runner's parse gives back the exact path and message.
#[test]
fn github_annotations_escape_workflow_command_syntax() {
    let spec = spec_in(AWKWARD_DIR, ESCAPING_SPEC);
    let github = validate(spec.path(), AWKWARD_DIR, "github");
    github.assert_code(1);
    let json = validate(spec.path(), AWKWARD_DIR, "json");
    let problems = annotation_problems(&github.stdout, &json.json(), AWKWARD_DIR);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let first = github.stdout.lines().next().expect("an annotation");
    assert!(
        first.contains("file=spec%2Cv1%3A50%25 done/charter.kdl,"),
        "the file property is not escaped: {first}"
    );
    let messages: Vec<String> = github
        .stdout
        .lines()
        .map(|line| parse_annotation(line).expect("an annotation").message)
        .collect();
    assert!(
        messages.iter().any(|m| m.contains("pg%,x:y")),
        "a message quotes `pg%,x:y` (the escaping case): {messages:?}"
    );
    assert!(
        messages.iter().all(|m| m.contains("\nhelp: ")),
        "every message carries its help after an escaped line break: {messages:?}"
    );
}
