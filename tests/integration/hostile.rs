//! Hostile input, run through the real binary: what a small file can do to the
//! parser (nesting, comment chains), files that point outside the spec, huge
//! strings, and positions under every KDL v2 newline. Each case must end in a
//! finding or a clear error, never a crash, a hang or a leak.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;
use tempfile::TempDir;

use crate::support;

/// What one run of the binary produced.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(dir: &Path, args: &[&str]) -> Run {
    let output = support::charter_bin()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("charter runs");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn validate_json(dir: &Path) -> Value {
    let run = run(
        dir,
        &["validate", "--today", "2026-11-25", "--format", "json"],
    );
    assert!(
        matches!(run.code, Some(0 | 1)),
        "exit {:?}\n{}\n{}",
        run.code,
        run.stdout,
        run.stderr
    );
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", run.stdout))
}

/// `(code, line, column)` of every finding.
fn findings(report: &Value) -> Vec<(String, u64, u64)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().expect("code").to_string(),
                f["line"].as_u64().expect("line"),
                f["column"].as_u64().expect("column"),
            )
        })
        .collect()
}

fn minimal() -> String {
    std::fs::read_to_string(support::repo_root().join("examples/minimal/charter.kdl"))
        .expect("minimal example")
}

/// A spec directory holding the minimal example with `extra` appended.
fn spec_with(extra: &str) -> TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("charter.kdl"),
        format!("{}{extra}", minimal()),
    )
    .expect("write");
    dir
}

fn codes(report: &Value) -> Vec<String> {
    findings(report).into_iter().map(|(c, _, _)| c).collect()
}

// ------------------------------------------------------------ parser bounds

#[test]
fn fifty_thousand_nested_block_comments_are_a_finding_in_validate_and_fmt() {
    let dir = spec_with(&format!("{}{}\n", "/*".repeat(50_000), "*/".repeat(50_000)));
    assert_eq!(
        codes(&validate_json(dir.path())),
        ["syntax/comment-too-deep"]
    );
    let fmt = run(dir.path(), &["fmt", "--spec", "."]);
    assert_eq!(fmt.code, Some(1), "{}", fmt.stderr);
    assert!(
        fmt.stderr
            .contains("`/* */` comments are nested more than 32 levels deep"),
        "{}",
        fmt.stderr
    );
}

#[test]
fn a_chain_of_four_thousand_slashdashes_is_a_finding_in_validate_and_fmt() {
    // Unbounded, the parser takes minutes on this (its time grows faster than n²).
    let dir = spec_with(&format!("{}app \"x\"\n", "/- ".repeat(4_000)));
    let report = validate_json(dir.path());
    let line = u64::try_from(minimal().lines().count() + 1).expect("small");
    assert_eq!(
        findings(&report),
        [("syntax/slashdash-chain".to_string(), line, 49)]
    );
    let fmt = run(dir.path(), &["fmt", "--spec", "."]);
    assert_eq!(fmt.code, Some(1), "{}", fmt.stderr);
    assert!(fmt.stderr.contains("more than 16 `/-` comments in a row"));
}

#[test]
fn one_slashdash_per_entry_is_no_chain() {
    let dir = spec_with(&format!("/- retired {}\n", "/- a=1 ".repeat(2_000)));
    assert_eq!(codes(&validate_json(dir.path())), Vec::<String>::new());
}

// ------------------------------------------------------------ side doors

#[cfg(unix)]
#[test]
fn a_spec_file_linked_to_a_file_outside_the_spec_is_refused_by_name_and_never_read() {
    let secret_dir = tempfile::tempdir().expect("temp dir");
    let secret = secret_dir.path().join("credentials.kdl");
    std::fs::write(&secret, "aws_secret_access_key \"TOPSECRETVALUE\"\n").expect("write");
    let dir = spec_with("");
    std::fs::create_dir(dir.path().join("environments")).expect("mkdir");
    std::os::unix::fs::symlink(&secret, dir.path().join("environments/leak.kdl")).expect("symlink");
    for format in ["human", "json", "sarif", "github"] {
        let run = run(dir.path(), &["validate", "--spec", ".", "--format", format]);
        assert_eq!(run.code, Some(1), "{format}: {}", run.stderr);
        assert!(
            !run.stdout.contains("TOPSECRET"),
            "{format}: {}",
            run.stdout
        );
        assert!(
            !run.stderr.contains("TOPSECRET"),
            "{format}: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains("environments/leak.kdl")
                && run.stderr.contains("outside the spec directory"),
            "{format}: {}",
            run.stderr
        );
    }
}

#[cfg(unix)]
#[test]
fn a_link_inside_the_spec_directory_is_read() {
    let dir = spec_with("");
    std::fs::create_dir_all(dir.path().join("environments")).expect("mkdir");
    std::fs::create_dir_all(dir.path().join("shared")).expect("mkdir");
    std::fs::write(
        dir.path().join("shared/extra.kdl"),
        "environment \"extra\" extends=\"dev\"\n",
    )
    .expect("write");
    std::os::unix::fs::symlink("../shared/extra.kdl", dir.path().join("environments/e.kdl"))
        .expect("symlink");
    let run = run(dir.path(), &["validate", "--spec", "."]);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("2 files checked"), "{}", run.stdout);
}

// ------------------------------------------------------------ huge strings

/// A copy of the repository's own spec (charter.kdl, environments/, policies/).
fn repo_spec() -> TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = support::repo_root();
    std::fs::copy(root.join("charter.kdl"), dir.path().join("charter.kdl")).expect("copy");
    for sub in ["environments", "policies"] {
        support::copy_dir(&root.join(sub), &dir.path().join(sub));
    }
    dir
}

#[test]
fn a_64k_directory_name_does_not_panic_who_can() {
    let dir = repo_spec();
    let access = dir.path().join("policies/access.kdl");
    let long = "D".repeat(65_536);
    let text = std::fs::read_to_string(&access).expect("read");
    std::fs::write(
        &access,
        text.replace(
            "directory=\"GD-CaaS-Users\"",
            &format!("directory=\"{long}\""),
        ),
    )
    .expect("write");
    let check = run(dir.path(), &["validate", "--spec", "."]);
    assert_eq!(check.code, Some(0), "{}", check.stdout);
    for args in [
        ["who-can", "--group", "caas-users"],
        ["who-can", "--model", "gpt-4o"],
        ["who-can", "--feature", "web-search"],
    ] {
        let run = run(dir.path(), &args);
        assert_eq!(run.code, Some(0), "{args:?}: {}", run.stderr);
        assert!(run.stdout.contains(&long), "{args:?}");
    }
}

// ------------------------------------------------------------ positions

#[test]
fn line_and_column_follow_every_kdl_v2_newline() {
    // The same spec with each newline of KDL v2 in turn: the unknown node on the
    // last line is reported on the same line and column every time.
    let text = minimal();
    let lines = text.lines().count();
    for newline in [
        "\n", "\r\n", "\r", "\u{85}", "\u{c}", "\u{2028}", "\u{2029}",
    ] {
        let body = format!(
            "{}{newline}  bogus 1{newline}",
            text.trim_end().replace('\n', newline)
        );
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("charter.kdl"), &body).expect("write");
        let report = validate_json(dir.path());
        assert_eq!(
            findings(&report),
            [(
                "spec/unknown-node".to_string(),
                u64::try_from(lines + 1).expect("small"),
                3
            )],
            "{newline:?}"
        );
    }
}

// ------------------------------------------------------------ escaping

/// Characters that act on a terminal or reorder text, none of which may reach
/// human output, GitHub annotations or generated Markdown unescaped.
const HOSTILE: [char; 8] = [
    '\u{1b}', '\u{7}', '\u{9b}', '\u{202e}', '\u{2066}', '\u{200f}', '\u{61c}', '\u{0}',
];

fn assert_no_hostile(what: &str, text: &str) {
    if let Some(c) = text.chars().find(|c| HOSTILE.contains(c)) {
        panic!("{what} holds U+{:04X} unescaped:\n{text}", u32::from(c));
    }
}

#[test]
fn control_and_bidi_characters_in_spec_values_are_escaped_in_human_and_github_output() {
    // KDL v2 forbids these characters literally but writes them with escapes: the
    // name's value holds them, and so do the finding's message and label.
    let dir = spec_with(
        "environment \"qa\\u{1b}]0;owned\\u{7}\\u{202e}nimda\\u{9b}2J\" {\n    tier \"development\"\n}\n",
    );
    for style in [
        &["--color", "never"][..],
        &["--color", "always"][..],
        &[][..],
    ] {
        let mut args = vec!["validate", "--today", "2026-11-25"];
        args.extend_from_slice(style);
        let human = run(dir.path(), &args);
        assert_eq!(human.code, Some(1), "{}{}", human.stdout, human.stderr);
        assert!(
            human.stdout.contains("spec/invalid-name"),
            "{}",
            human.stdout
        );
        if style.contains(&"always") {
            // miette colors with ESC sequences of its own; the spec's are escaped.
            assert!(!human.stdout.contains("\u{1b}]"), "{}", human.stdout);
            assert_no_hostile(
                "colored human output without ESC",
                &human.stdout.replace('\u{1b}', ""),
            );
        } else {
            assert_no_hostile("human output", &human.stdout);
        }
        assert!(
            human
                .stdout
                .contains("qa\\u{1b}]0;owned\\u{7}\\u{202e}nimda\\u{9b}2J"),
            "{}",
            human.stdout
        );
    }
    let github = run(
        dir.path(),
        &["validate", "--today", "2026-11-25", "--format", "github"],
    );
    assert_eq!(github.code, Some(1), "{}", github.stderr);
    assert_no_hostile("github output", &github.stdout);
    assert!(
        github.stdout.contains("title=spec/invalid-name::")
            && github.stdout.contains("\\u{202e}nimda"),
        "{}",
        github.stdout
    );
}

#[test]
fn a_source_line_with_literal_control_characters_is_shown_escaped() {
    // Not valid KDL v2, so the syntax finding shows the line as it is in the file.
    let dir = spec_with("bogus \"\u{1b}[2J\u{1b}]0;owned\u{7}\" // \u{202e}x\u{2066}\n");
    for format in [&["--color", "never"][..], &[][..]] {
        let mut args = vec!["validate", "--today", "2026-11-25"];
        args.extend_from_slice(format);
        let human = run(dir.path(), &args);
        assert_eq!(human.code, Some(1), "{}{}", human.stdout, human.stderr);
        assert_no_hostile("human output", &human.stdout);
        assert!(
            human.stdout.contains("\\u{1b}[2J\\u{1b}]0;owned\\u{7}"),
            "{}",
            human.stdout
        );
    }
    let github = run(
        dir.path(),
        &["validate", "--today", "2026-11-25", "--format", "github"],
    );
    assert_no_hostile("github output", &github.stdout);
}

/// The unescaped `|` of a Markdown table line: cell separators.
fn cells(line: &str) -> usize {
    let mut count = 0;
    let mut escaped = false;
    for c in line.chars() {
        match c {
            '\\' if !escaped => escaped = true,
            '|' if !escaped => count += 1,
            _ => escaped = false,
        }
    }
    count
}

#[test]
fn spec_text_cannot_break_generated_markdown() {
    let dir = repo_spec();
    let guardrails = dir.path().join("policies/guardrails.kdl");
    let text = std::fs::read_to_string(&guardrails).expect("read");
    // KDL escapes: the values hold the characters themselves.
    let hostile = r"Legal | hold \u{1b}[31m\u{202e}dlo\u{2066} see https://x.example.com/a|b or a|b@example.com `x|y`";
    let changed = text.replace(
        "Legal hold on CaaS conversations for the Q3 investigation",
        hostile,
    );
    assert_ne!(changed, text, "the waiver reason is in the spec");
    std::fs::write(&guardrails, changed).expect("write");
    let access = dir.path().join("policies/access.kdl");
    let text = std::fs::read_to_string(&access).expect("read");
    std::fs::write(
        &access,
        text.replace(
            "directory=\"GD-CaaS-Users\"",
            r#"directory="GD|CaaS\u{1b}[1m`Users""#,
        ),
    )
    .expect("write");

    let out = tempfile::tempdir().expect("temp dir");
    let build = run(
        dir.path(),
        &["build", "--spec", ".", "--out"]
            .into_iter()
            .chain([
                out.path().to_str().expect("utf-8 path"),
                "--today",
                "2026-11-25",
            ])
            .collect::<Vec<_>>(),
    );
    assert_eq!(build.code, Some(0), "{}{}", build.stdout, build.stderr);
    let docs = support::tree(&out.path().join("docs"));
    assert!(docs.len() > 3, "{:?}", docs.keys());
    for (path, bytes) in &docs {
        let text = String::from_utf8_lossy(bytes);
        assert_no_hostile(path, &text);
        // Every table row has as many cells as its header.
        let mut header = None;
        for line in text.lines() {
            if !line.starts_with('|') {
                header = None;
                continue;
            }
            let n = cells(line);
            match header {
                None => header = Some(n),
                Some(h) => assert_eq!(n, h, "{path}: a row breaks its table:\n{line}"),
            }
        }
    }
    let policy = String::from_utf8_lossy(&docs["policy.md"]);
    assert!(
        policy.contains("<https://x.example.com/a%7Cb>"),
        "the autolink keeps its target:\n{policy}"
    );
    assert!(policy.contains("\\\\u{202e}dlo"), "{policy}");
}

// ------------------------------------------------------------ templates

/// Emits the minimal example with one template overridden; the error's template
/// name and message when emitting fails.
fn emit_with_template(name: &str, text: &str) -> Result<String, (String, String)> {
    let dir = support::repo_root().join("examples/minimal");
    let sources = support::load(&dir);
    let outcome = support::compile(&sources);
    let model = outcome.model.expect("the minimal example compiles");
    let context = charter::emit::Context {
        spec_digest: charter::emit::spec_digest(&sources),
        commit: None,
        templates: std::collections::BTreeMap::from([(name.to_string(), text.to_string())]),
    };
    match charter::emit::emit(&model, &context) {
        Ok(set) => Ok(set
            .iter()
            .find(|a| a.path == "docs/policy.md")
            .map(|a| a.contents.clone())
            .unwrap_or_default()),
        Err(charter::emit::EmitError::Template { name, message }) => Err((name, message)),
        Err(other) => panic!("not a template error: {other}"),
    }
}

fn template_refused(name: &str, text: &str) -> (String, String) {
    match emit_with_template(name, text) {
        Ok(out) => panic!("the template rendered:\n{}", &out[..out.len().min(500)]),
        Err(error) => error,
    }
}

#[test]
fn templates_cannot_read_the_environment_or_the_clock() {
    for function in ["get_env(name=\"HOME\")", "now()", "get_random(end=10)"] {
        let (name, message) =
            template_refused("policy.md.tera", &format!("# P\n\n{{{{ {function} }}}}\n"));
        assert_eq!(name, "policy.md.tera");
        let called = function.split('(').next().expect("name");
        assert!(
            message.contains(&format!("`{called}` is not available in charter templates")),
            "{message}"
        );
    }
    let home = std::env::var("HOME").unwrap_or_default();
    let (_, message) = template_refused(
        "policy.md.tera",
        "{{ get_env(name=\"HOME\", default=\"none\") }}",
    );
    assert!(home.is_empty() || !message.contains(&home), "{message}");
}

#[test]
fn a_template_that_includes_itself_or_recurses_is_refused_before_rendering() {
    let (name, message) =
        template_refused("policy.md.tera", "# P\n{% include \"policy.md.tera\" %}\n");
    assert_eq!(name, "policy.md.tera");
    assert!(
        message.contains("template `policy.md.tera` enters itself again"),
        "{message}"
    );

    let (_, message) = template_refused(
        "runbook.md.tera",
        "{% macro down(n) %}{{ self::down(n=n + 1) }}{% endmacro down %}{{ self::down(n=0) }}",
    );
    assert!(
        message.contains("macro `down` of `runbook.md.tera` enters itself again"),
        "{message}"
    );

    // Two templates that include each other, and two macros that call each other.
    let dir = support::repo_root().join("examples/minimal");
    let sources = support::load(&dir);
    let outcome = support::compile(&sources);
    let model = outcome.model.expect("compiles");
    let context = charter::emit::Context {
        spec_digest: String::new(),
        commit: None,
        templates: std::collections::BTreeMap::from([
            ("runbook.md.tera".to_string(), "{% include \"onboarding.md.tera\" %}".to_string()),
            (
                "onboarding.md.tera".to_string(),
                "{% macro a() %}{{ self::b() }}{% endmacro a %}{% macro b() %}{{ self::a() }}{% endmacro b %}{% include \"runbook.md.tera\" %}".to_string(),
            ),
        ]),
    };
    let error = charter::emit::emit(&model, &context).expect_err("refused");
    assert!(error.to_string().contains("failed"), "{error}");
    let charter::emit::EmitError::Template { message, .. } = error else {
        panic!("not a template error");
    };
    assert!(message.contains("enters itself again"), "{message}");
    assert!(
        message.contains(" → "),
        "the cycle is spelled out: {message}"
    );

    // A macro called many times without recursion is fine.
    let text = "{% macro twice(s) %}{{ s }}{{ s }}{% endmacro twice %}{{ self::twice(s=\"a\") }}{{ self::twice(s=\"b\") }}\n";
    assert_eq!(
        emit_with_template("policy.md.tera", text).expect("renders"),
        "aabb\n"
    );
}

#[test]
fn templates_nested_without_bound_are_refused_before_the_parser() {
    let deep_blocks = format!(
        "{}x{}",
        "{% if true %}".repeat(5_000),
        "{% endif %}".repeat(5_000)
    );
    let (_, message) = template_refused("policy.md.tera", &deep_blocks);
    assert!(
        message.contains("blocks nest more than 64 levels deep"),
        "{message}"
    );
    let deep_brackets = format!("{{{{ {}1{} }}}}", "(".repeat(50_000), ")".repeat(50_000));
    let (_, message) = template_refused("policy.md.tera", &deep_brackets);
    assert!(
        message.contains("brackets nest more than 64 levels"),
        "{message}"
    );
    // Nesting within the bound parses and renders.
    let fine = format!(
        "{}x{}\n",
        "{% if true %}".repeat(60),
        "{% endif %}".repeat(60)
    );
    assert_eq!(
        emit_with_template("policy.md.tera", &fine).expect("renders"),
        "x\n"
    );
}

#[test]
fn a_template_that_loops_without_bound_is_stopped_with_a_clear_error() {
    let (_, message) = template_refused(
        "policy.md.tera",
        "{% for i in range(end=10000000000) %}{{ i }}{% endfor %}",
    );
    assert!(
        message.contains("`range` would yield more than"),
        "{message}"
    );
    // Loops that print nothing draw on the same budget.
    let (_, message) = template_refused(
        "policy.md.tera",
        "{% for a in range(end=1000) %}{% for b in range(end=1000) %}{% for c in range(end=1000) %}{% endfor %}{% endfor %}{% endfor %}",
    );
    assert!(
        message.contains("`range` would yield more than"),
        "{message}"
    );
    // Output past the cap.
    let (_, message) = template_refused(
        "policy.md.tera",
        &format!(
            "{{% for a in range(end=700) %}}{{% for b in range(end=700) %}}{}{{% endfor %}}{{% endfor %}}",
            "x".repeat(200)
        ),
    );
    assert!(message.contains("the output passed 64 MB"), "{message}");
}

// ------------------------------------------------------------ findings rendering

/// The human report (plain, width 80) and the JSON findings of `text` as the
/// whole spec.
fn reports(text: &str) -> (String, Vec<Value>) {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("charter.kdl"), text).expect("write");
    let sources = support::load(dir.path());
    let outcome = support::compile(&sources);
    let json: Value = serde_json::from_str(&support::json(&sources, &outcome)).expect("json");
    let findings = json["findings"].as_array().expect("findings").clone();
    (support::human(&sources, &outcome), findings)
}

/// How many reports a human report holds (each starts with its code line).
fn report_count(human: &str, code: &str) -> usize {
    human.lines().filter(|l| l.trim() == code).count()
}

#[test]
fn one_finding_in_many_environments_is_one_human_report_naming_the_first() {
    let mut text = minimal();
    for i in 1..=8 {
        let _ = write!(
            text,
            "\nenvironment \"qa-{i}\" {{\n    tier \"development\"\n}}\n"
        );
    }
    let (human, findings) = reports(&text);
    assert_eq!(findings.len(), 8, "JSON keeps every finding");
    assert_eq!(report_count(&human, "env/incomplete"), 1, "{human}");
    insta::assert_snapshot!(human);
}

#[test]
fn thirty_thousand_findings_are_all_reported() {
    let mut text = minimal();
    for i in 0..30_000 {
        let _ = writeln!(text, "bogus-{i} 1");
    }
    let (human, findings) = reports(&text);
    assert_eq!(findings.len(), 30_000);
    assert_eq!(report_count(&human, "spec/unknown-node"), 30_000);
    assert!(human.contains("`bogus-29999`"), "the last one is there");
    assert!(
        human.ends_with("spec has 30000 errors, 0 warnings: 1 file checked\n"),
        "{}",
        &human[human.len() - 200..]
    );
}

#[test]
fn a_long_source_line_is_clipped_around_each_label() {
    // 8,000 unknown properties on one 60k-character line.
    let props: Vec<String> = (0..8_000).map(|i| format!("p{i}=1")).collect();
    let text = minimal().replace(
        "app \"hello\" kind=\"container\" {",
        &format!("app \"hello\" kind=\"container\" {} {{", props.join(" ")),
    );
    assert!(text.lines().any(|l| l.len() > 40_000));
    let (human, findings) = reports(&text);
    assert_eq!(findings.len(), 8_000);
    assert_eq!(report_count(&human, "spec/unknown-property"), 8_000);
    let longest = human.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(longest <= 200, "a line of {longest} characters");
    // The last property's report shows it, with the line clipped before it.
    let last = human
        .split("spec/unknown-property")
        .last()
        .expect("a report");
    assert!(
        last.contains("p7995=1 p7996=1 p7997=1 p7998=1 p7999=1 {"),
        "{last}"
    );
}

#[test]
fn a_long_inheritance_cycle_is_one_report_with_a_bounded_number_of_labels() {
    let mut text = minimal();
    let n = 2_000;
    for i in 0..n {
        let _ = writeln!(
            text,
            "group \"g{i}\" directory=\"D{i}\" inherits=\"g{}\"",
            (i + 1) % n
        );
    }
    let (human, findings) = reports(&text);
    assert_eq!(findings.len(), 1);
    let labels = findings[0]["labels"].as_array().map_or(0, Vec::len);
    assert!(labels >= n, "JSON keeps every label: {labels}");
    assert!(
        human.contains(&format!(
            "{} more related places are not shown",
            labels - 1 - charter::diag::render_human::MAX_RELATED
        )),
        "{}",
        &human[human.len().saturating_sub(800)..]
    );
    let drawn = human.matches("╰── ").count();
    assert!(
        drawn <= charter::diag::render_human::MAX_RELATED + 1,
        "{drawn} labels drawn"
    );
}

// ------------------------------------------------------------ syntax

#[test]
fn a_slashdashed_node_ended_by_a_semicolon_is_valid_kdl_v2_in_validate_and_fmt() {
    // kdl 6.7.1 rejects these and KDL v1 accepts them: never "written in KDL v1".
    let dir = spec_with(
        "/- bogus 1; /- bogus 2\nenvironment \"qa\" extends=\"dev\" { /- tier \"x\"; }\n/- app \"old\" kind=\"container\"; /- x\n",
    );
    assert_eq!(codes(&validate_json(dir.path())), Vec::<String>::new());
    let fmt = run(dir.path(), &["fmt", "--spec", "."]);
    assert_eq!(fmt.code, Some(0), "{}{}", fmt.stdout, fmt.stderr);
    let text = std::fs::read_to_string(dir.path().join("charter.kdl")).expect("read");
    assert!(
        text.ends_with(
            "/- bogus 1\n/- bogus 2\nenvironment \"qa\" extends=\"dev\" {\n    /- tier \"x\"\n}\n/- app \"old\" kind=\"container\"\n/- x\n"
        ),
        "{text}"
    );
    // What follows the `;` is still a node.
    let dir = spec_with("/- bogus 1; bogus 2\n");
    assert_eq!(codes(&validate_json(dir.path())), ["spec/unknown-node"]);
}

#[test]
fn a_literal_control_character_is_named_at_its_place() {
    let dir = spec_with("environment \"qa\" extends=\"dev\" {\n    env \"A\" \"x\u{7}y\"\n}\n");
    let report = validate_json(dir.path());
    let line = u64::try_from(minimal().lines().count() + 2).expect("small");
    assert_eq!(
        findings(&report),
        [("syntax/disallowed-character".to_string(), line, 15)]
    );
    let message = report["findings"][0]["message"].as_str().expect("message");
    assert!(message.contains("U+0007 (BEL)"), "{message}");
    for (c, name) in [('\u{202e}', "RIGHT-TO-LEFT OVERRIDE"), ('\u{1b}', "ESC")] {
        let dir = spec_with(&format!("// a comment {c}\n"));
        let report = validate_json(dir.path());
        assert_eq!(codes(&report), ["syntax/disallowed-character"]);
        let message = report["findings"][0]["message"].as_str().expect("message");
        assert!(message.contains(name), "{message}");
    }
}

#[test]
fn control_characters_written_as_escapes_are_allowed() {
    let dir = spec_with(
        "environment \"qa\" extends=\"dev\" {\n    env \"A\" \"bell \\u{7} esc \\u{1b} rlo \\u{202e}\"\n}\n",
    );
    assert_eq!(codes(&validate_json(dir.path())), Vec::<String>::new());
}

#[test]
fn fmt_keeps_raw_strings_that_start_with_quotes() {
    for value in [
        "#\"\"quoted\" text\"#",
        "##\"\"a\"##",
        "#\"\" \"#",
        "#\"\"\"\"quad\"\"\"\"#",
        "#\"\"\"\n    \"quoted\" block\n    \"\"\"#",
        "\"\\\"escaped\\\" start\"",
    ] {
        let dir = spec_with(&format!(
            "environment \"qa\" extends=\"dev\" {{\n    env \"G\" {value}\n}}\n"
        ));
        assert_eq!(
            codes(&validate_json(dir.path())),
            Vec::<String>::new(),
            "{value}"
        );
        let before = std::fs::read_to_string(dir.path().join("charter.kdl")).expect("read");
        let fmt = run(dir.path(), &["fmt", "--spec", ".", "--check"]);
        assert_eq!(fmt.code, Some(0), "{value}: {}{}", fmt.stdout, fmt.stderr);
        let after = std::fs::read_to_string(dir.path().join("charter.kdl")).expect("read");
        assert_eq!(before, after, "{value}");
    }
}

// ------------------------------------------------------------ the output directory

/// A miette report on one line: box characters and line breaks gone.
fn flat(report: &str) -> String {
    report
        .replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn build_to(spec: &Path, out: &str) -> Run {
    let output = support::charter_bin()
        .current_dir(spec)
        .args([
            "build",
            "--spec",
            ".",
            "--today",
            "2026-11-25",
            "--out",
            out,
        ])
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .expect("charter runs");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[test]
fn an_out_that_would_destroy_something_is_refused_before_anything_is_touched() {
    let dir = spec_with("");
    std::fs::write(dir.path().join("notes.txt"), "mine\n").expect("write");
    let before = support::tree(dir.path());
    for (out, reason) in [
        ("notes.txt", "it is an existing file, not a directory"),
        ("charter.kdl", "it is the spec's own charter.kdl"),
        (".", "it is the spec directory"),
        ("./", "it is the spec directory"),
        ("..", "it contains the spec directory"),
        ("/", "it is the file system root"),
    ] {
        let run = build_to(dir.path(), out);
        assert_eq!(run.code, Some(1), "{out}: {}{}", run.stdout, run.stderr);
        let flat = flat(&run.stderr);
        assert!(
            flat.contains(&format!(
                "refusing to write the output to `{out}`: {reason}"
            )),
            "{out}: {}",
            run.stderr
        );
        assert_eq!(
            support::tree(dir.path()),
            before,
            "{out}: the spec is untouched"
        );
        let leftovers: Vec<_> = std::fs::read_dir(dir.path().parent().expect("parent"))
            .expect("list")
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().contains(".charter-new-"))
            .collect();
        assert!(leftovers.is_empty(), "{out}: no staging directory left");
    }
    // The default, and a fresh directory, build.
    assert_eq!(build_to(dir.path(), "generated").code, Some(0));
    assert_eq!(build_to(dir.path(), "elsewhere/out").code, Some(0));
}

#[cfg(unix)]
#[test]
fn a_fifo_in_the_output_directory_never_blocks_a_build() {
    let dir = spec_with("");
    let out = dir.path().join("generated");
    std::fs::create_dir_all(out.join("docs")).expect("mkdir");
    std::fs::write(out.join("notes.txt"), "mine\n").expect("write");
    let made = std::process::Command::new("mkfifo")
        .arg(out.join("docs/pipe"))
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    std::os::unix::fs::symlink(out.join("docs/pipe"), out.join("pipe-link")).expect("symlink");
    let run = build_to(dir.path(), "generated");
    assert_eq!(run.code, Some(1), "{}{}", run.stdout, run.stderr);
    let flat = flat(&run.stderr);
    assert!(
        flat.contains("a FIFO, which charter does not carry over")
            || flat.contains("a symlink to a special file, which"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).expect("kept"),
        "mine\n"
    );
    assert!(!out.join("manifest.json").exists(), "nothing was written");
}

#[test]
fn the_next_build_clears_what_a_killed_build_left_beside_the_output() {
    let dir = spec_with("");
    assert_eq!(build_to(dir.path(), "generated").code, Some(0));
    let before = support::tree(&dir.path().join("generated"));
    // Killed while staging: a half-written staging directory.
    let staging = dir.path().join(".generated.charter-new-AbC123");
    std::fs::create_dir_all(staging.join("docs")).expect("mkdir");
    std::fs::write(staging.join("docs/policy.md"), "half").expect("write");
    let run = build_to(dir.path(), "generated");
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        !staging.exists(),
        "the leftover staging directory is removed"
    );
    assert_eq!(support::tree(&dir.path().join("generated")), before);

    // Killed between the swap's renames: the old tree retired, the target gone.
    let retired = dir.path().join(".generated.charter-old-XyZ789");
    std::fs::create_dir_all(&retired).expect("mkdir");
    std::fs::rename(dir.path().join("generated"), retired.join("old")).expect("retire");
    std::fs::write(retired.join("old/notes.txt"), "mine\n").expect("write");
    let run = build_to(dir.path(), "generated");
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(!retired.exists());
    let after = support::tree(&dir.path().join("generated"));
    assert_eq!(
        after.get("notes.txt").map(Vec::as_slice),
        Some(&b"mine\n"[..]),
        "put back, then carried over"
    );
    let leftovers: Vec<String> = std::fs::read_dir(dir.path())
        .expect("list")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".charter-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[cfg(unix)]
#[test]
fn a_build_killed_at_any_point_leaves_the_previous_output_or_a_recoverable_one() {
    let dir = repo_spec();
    assert_eq!(build_to(dir.path(), "generated").code, Some(0));
    let out = dir.path().join("generated");
    std::fs::write(out.join("notes.txt"), "mine\n").expect("write");
    let before = support::tree(&out);
    let binary = assert_cmd::cargo::cargo_bin("charter");
    for delay_ms in [0, 5, 20, 50, 100, 200, 400, 800] {
        let mut child = std::process::Command::new(&binary)
            .current_dir(dir.path())
            .args(["build", "--spec", ".", "--today", "2026-11-25"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        if out.exists() {
            assert_eq!(support::tree(&out), before, "killed after {delay_ms} ms");
        }
        // Whatever the kill left, the next build starts from the previous output.
        assert_eq!(build_to(dir.path(), "generated").code, Some(0));
        assert_eq!(support::tree(&out), before, "rebuilt after {delay_ms} ms");
        let leftovers: Vec<String> = std::fs::read_dir(dir.path())
            .expect("list")
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".charter-"))
            .collect();
        assert!(leftovers.is_empty(), "{delay_ms} ms: {leftovers:?}");
    }
}

// ------------------------------------------------------------ a valid spec builds

#[test]
fn image_tags_repositories_and_health_durations_that_validate_also_build() {
    let base = minimal();
    for (from, to) in [
        ("tag=\"1.0.0\"", "tag=\"v0.6.18\""),
        ("tag=\"1.0.0\"", "tag=\"1.0.0_rc-1.A\""),
        ("tag=\"1.0.0\"", "tag=\"main\""),
        ("tag=\"1.0.0\"", "tag=\"_9\""),
        (
            "\"ghcr.io/example-org/hello\"",
            "\"registry.example.com:5000/team_a/hello-app\"",
        ),
        ("interval=\"30s\"", "interval=\"1s\""),
        ("timeout=\"5s\"", "timeout=\"1s\""),
    ] {
        assert!(base.contains(from), "{from}");
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("charter.kdl"), base.replacen(from, to, 1)).expect("write");
        assert_eq!(
            codes(&validate_json(dir.path())),
            Vec::<String>::new(),
            "{to}"
        );
        let build = build_to(dir.path(), "generated");
        assert_eq!(build.code, Some(0), "{to}: {}", build.stderr);
    }
    // And what would fail the build is a finding at its spec line instead.
    for (to, code) in [
        ("tag=\"latest\"", "apps/invalid-image-tag"),
        ("tag=\"1.0 0\"", "apps/invalid-image-tag"),
        (
            &*format!("tag=\"{}\"", "9".repeat(129)),
            "apps/invalid-image-tag",
        ),
    ] {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(
            dir.path().join("charter.kdl"),
            base.replacen("tag=\"1.0.0\"", to, 1),
        )
        .expect("write");
        assert_eq!(codes(&validate_json(dir.path())), [code], "{to}");
        assert_eq!(build_to(dir.path(), "generated").code, Some(1), "{to}");
    }
}

#[test]
fn an_empty_owner_is_a_finding_not_a_failed_build() {
    for (from, to) in [
        ("owner \"hello-team\"", "owner \"\""),
        ("chat=\"#hello\"", "chat=\"  \""),
        ("email=\"hello-team@example.com\"", "email=\"\""),
    ] {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(
            dir.path().join("charter.kdl"),
            minimal().replacen(from, to, 1),
        )
        .expect("write");
        assert_eq!(
            codes(&validate_json(dir.path())),
            ["spec/empty-value"],
            "{to}"
        );
        assert_eq!(build_to(dir.path(), "generated").code, Some(1), "{to}");
    }
}

#[test]
fn secret_rotations_and_paths_that_validate_also_build() {
    let secret = |extra: &str| {
        format!(
            "{}\nenvironment \"qa\" extends=\"dev\" {{\n    secret \"api-key\" store=\"ssm\" for=\"hello\" env=\"API_KEY\" {extra}\n}}\n",
            minimal()
        )
    };
    for extra in [
        "rotate=\"1d\"",
        "rotate=\"24h\"",
        "rotate=\"90d\" path=\"/hello/qa/api-key\"",
        "rotate=\"90d\" path=\"/hello/{environment}/api_key.v2\"",
    ] {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("charter.kdl"), secret(extra)).expect("write");
        assert_eq!(
            codes(&validate_json(dir.path())),
            Vec::<String>::new(),
            "{extra}"
        );
        let build = build_to(dir.path(), "generated");
        assert_eq!(build.code, Some(0), "{extra}: {}", build.stderr);
    }
    for (extra, code) in [
        ("rotate=\"23h\"", "secrets/short-rotation"),
        (
            "rotate=\"90d\" path=\"/hello//api-key\"",
            "secrets/invalid-path",
        ),
        (
            "rotate=\"90d\" path=\"/hello/api-key/\"",
            "secrets/invalid-path",
        ),
        (
            "rotate=\"90d\" path=\"/hello/a key\"",
            "secrets/invalid-path",
        ),
    ] {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("charter.kdl"), secret(extra)).expect("write");
        assert!(
            codes(&validate_json(dir.path())).contains(&code.to_string()),
            "{extra}"
        );
    }
}

#[test]
fn an_s3_bucket_name_of_63_characters_builds_and_64_is_a_finding() {
    // `hello-dev-` is 10 characters.
    for (len, expected) in [
        (53, Vec::<String>::new()),
        (54, vec!["env/bucket-name-too-long".to_string()]),
    ] {
        let name = format!("b{}", "x".repeat(len - 1));
        let text = minimal().replacen(
            "    scale \"hello\"",
            &format!("    resource \"{name}\" kind=\"s3\"\n    scale \"hello\""),
            1,
        );
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("charter.kdl"), text).expect("write");
        assert_eq!(codes(&validate_json(dir.path())), expected, "{len}");
        let build = build_to(dir.path(), "generated");
        assert_eq!(
            build.code,
            Some(i32::from(!expected.is_empty())),
            "{len}: {}",
            build.stderr
        );
    }
}
