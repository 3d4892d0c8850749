//! The CLI as users call it: the real `charter` binary, asserting stdout, stderr and
//! the exit code (0 clean, 1 errors, 64 bad usage). Text that users read is
//! snapshotted under `snapshots/cli/`; spec data lives in `tests/cli/` or is written
//! to a temporary directory, and the binary runs from there with relative paths.

use std::path::Path;

use assert_cmd::Command;
use charter::diag::code::Code;
use serde_json::Value;
use tempfile::TempDir;

use crate::support;

/// Waiver expiry is judged as of this date in every run.
const TODAY: &str = "2026-11-25";

/// Variables that change how charter, miette or clap render; removed so that runs
/// are the same on a developer's machine and in CI.
const RENDER_ENV: &[&str] = &[
    "NO_COLOR",
    "CLICOLOR",
    "CLICOLOR_FORCE",
    "FORCE_COLOR",
    "FORCE_HYPERLINK",
    "NO_GRAPHICS",
    "COLUMNS",
    "LINES",
];

/// What one run of the binary produced.
struct Run {
    status: std::process::ExitStatus,
    stdout: String,
    stderr: String,
}

impl Run {
    /// Asserts a normal exit (not a signal or an abort) with `code`; shows both
    /// streams otherwise.
    fn assert_code(&self, code: i32) {
        assert_eq!(
            self.status.code(),
            Some(code),
            "expected exit code {code}, got {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.status,
            self.stdout,
            self.stderr
        );
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

/// `charter` run from the repo root with a neutral rendering environment.
fn charter() -> Command {
    let mut cmd = Command::cargo_bin("charter").expect("the charter binary is built");
    cmd.current_dir(support::repo_root());
    for var in RENDER_ENV {
        cmd.env_remove(var);
    }
    cmd
}

fn run(cmd: &mut Command) -> Run {
    let output = cmd.output().expect("charter runs");
    Run {
        status: output.status,
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// `charter validate --today TODAY ARGS...` in `dir`.
fn validate_in(dir: &Path, args: &[&str]) -> Run {
    run(charter()
        .current_dir(dir)
        .args(["validate", "--today", TODAY])
        .args(args))
}

/// `charter ARGS...` in the repo root.
fn charter_with(args: &[&str]) -> Run {
    run(charter().args(args))
}

/// Replaces the temporary directory (as given and canonical) with `[TEMP]`.
fn scrub(text: &str, temp: &Path) -> String {
    let mut text = text.to_string();
    if let Ok(canonical) = temp.canonicalize() {
        text = text.replace(&canonical.display().to_string(), "[TEMP]");
    }
    text.replace(&temp.display().to_string(), "[TEMP]")
}

macro_rules! snapshot {
    ($name:expr, $value:expr) => {
        insta::with_settings!({snapshot_path => "snapshots/cli", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!($name, $value);
        })
    };
}

/// A temporary directory holding `files` (relative path, bytes).
fn spec_dir(files: &[(&str, &[u8])]) -> TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, bytes) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(&path, bytes).expect("write spec file");
    }
    dir
}

/// A temporary copy of a case directory under `tests/cli/`.
fn case_dir(case: &str) -> TempDir {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).expect("mkdir");
        for entry in std::fs::read_dir(from).expect("read case dir") {
            let entry = entry.expect("entry");
            let target = to.join(entry.file_name());
            if entry.path().is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), &target).expect("copy case file");
            }
        }
    }
    let dir = tempfile::tempdir().expect("temp dir");
    copy(
        &support::repo_root().join("tests/cli").join(case),
        dir.path(),
    );
    dir
}

fn minimal_example() -> String {
    std::fs::read_to_string(support::repo_root().join("examples/minimal/charter.kdl"))
        .expect("minimal example")
}

/// `(file, line, column, code)` of every finding of a JSON report, in report order.
fn positions(report: &Value) -> Vec<(String, u64, u64, String)> {
    report["findings"]
        .as_array()
        .expect("findings is an array")
        .iter()
        .map(|f| {
            (
                f["file"].as_str().expect("file").to_string(),
                f["line"].as_u64().expect("line"),
                f["column"].as_u64().expect("column"),
                f["code"].as_str().expect("code").to_string(),
            )
        })
        .collect()
}

fn codes(report: &Value) -> Vec<String> {
    positions(report)
        .into_iter()
        .map(|(_, _, _, code)| code)
        .collect()
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            // CSI: ESC [ parameters final-byte
            if chars.next() == Some('[') {
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

// ---------------------------------------------------------------- clean specs

#[test]
fn validate_in_the_repo_root_says_the_spec_is_valid() {
    let run = validate_in(&support::repo_root(), &[]);
    run.assert_code(0);
    assert!(
        run.stdout.starts_with("spec is valid: ") && run.stdout.contains(" files checked"),
        "{}",
        run.stdout
    );
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    assert_eq!(run.stderr, "");
}

#[test]
fn validate_accepts_the_minimal_example() {
    let run = validate_in(&support::repo_root(), &["--spec", "examples/minimal"]);
    run.assert_code(0);
    assert_eq!(run.stdout, "spec is valid: 1 file checked\n");
    assert_eq!(run.stderr, "");
}

#[test]
fn validate_accepts_the_container_service_example() {
    let run = validate_in(
        &support::repo_root(),
        &["--spec", "examples/container-service"],
    );
    run.assert_code(0);
    assert_eq!(run.stdout, "spec is valid: 7 files checked\n");
    assert_eq!(run.stderr, "");
}

// ---------------------------------------------------------------- JSON

#[test]
fn json_on_a_clean_spec_is_version_1_with_no_findings() {
    let run = validate_in(
        &support::repo_root(),
        &["--spec", "examples/container-service", "--format", "json"],
    );
    run.assert_code(0);
    assert_eq!(run.stderr, "");
    let report = run.json();
    assert_eq!(report["version"], 1);
    assert_eq!(report["findings"], Value::Array(Vec::new()));
    assert_eq!(report["summary"]["errors"], 0);
    assert_eq!(report["summary"]["warnings"], 0);
    assert_eq!(report["summary"]["files"], 7);
}

#[test]
fn json_on_a_broken_spec_gives_every_field_of_every_finding() {
    let dir = case_dir("broken-spec");
    let run = validate_in(dir.path(), &["--format", "json"]);
    run.assert_code(1);
    assert_eq!(run.stderr, "");
    let report = run.json();
    assert_eq!(report["version"], 1);
    assert_eq!(report["summary"]["errors"], 4);
    let findings = report["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 4);
    for finding in findings {
        for key in ["code", "severity", "message", "file", "help"] {
            assert!(
                finding[key].as_str().is_some_and(|s| !s.is_empty()),
                "{key} in {finding:#}"
            );
        }
        for key in ["line", "column"] {
            assert!(
                finding[key].as_u64().is_some_and(|n| n >= 1),
                "{key} in {finding:#}"
            );
        }
        assert!(
            finding["span"]["offset"].is_u64() && finding["span"]["length"].is_u64(),
            "{finding:#}"
        );
        let labels = finding["labels"].as_array().expect("labels");
        assert_eq!(
            labels.iter().filter(|l| l["primary"] == true).count(),
            1,
            "{finding:#}"
        );
        assert!(
            labels
                .iter()
                .all(|l| l["text"].as_str().is_some_and(|t| !t.is_empty())),
            "{finding:#}"
        );
    }
    // The duplicate points back at the first declaration, in the other file.
    let duplicate = findings
        .iter()
        .find(|f| f["code"] == "spec/duplicate-name")
        .expect("a duplicate");
    let related = duplicate["labels"]
        .as_array()
        .expect("labels")
        .iter()
        .find(|l| l["primary"] == false);
    let related = related.expect("a related label");
    assert_eq!(
        (&related["file"], &related["line"], &related["column"]),
        (&"charter.kdl".into(), &16.into(), &13.into())
    );
    snapshot!("validate_broken_spec_json", scrub(&run.stdout, dir.path()));
}

// ---------------------------------------------------------------- human report

#[test]
fn human_report_when_piped_is_narrated_with_position_label_help_and_code() {
    let dir = case_dir("broken-spec");
    let run = validate_in(dir.path(), &[]);
    run.assert_code(1);
    assert_eq!(run.stderr, "");
    for expected in [
        "app `helo` is not defined (at charter.kdl:21:11)",
        "label at line 21, columns 11 to 16: no app has this name",
        "diagnostic help: did you mean `hello`?",
        "diagnostic code: spec/unknown-reference",
        "environment `dev` is declared twice (at environments/qa.kdl:2:13)",
        "first declared here (at charter.kdl:16:13)",
        "spec has 4 errors, 0 warnings: 2 files checked",
    ] {
        assert!(
            run.stdout.contains(expected),
            "missing {expected:?} in\n{}",
            run.stdout
        );
    }
    assert!(!run.stdout.contains('\x1b'), "ANSI escapes in piped output");
    snapshot!(
        "validate_broken_spec_narrated",
        scrub(&run.stdout, dir.path())
    );
}

#[test]
fn no_color_is_honoured_when_piped() {
    // Piped output is narrated and plain anyway; the terminal case is below.
    let dir = case_dir("broken-spec");
    for args in [&[][..], &["--color", "auto"][..]] {
        let run = run(charter()
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .args(args)
            .args(["validate", "--today", TODAY]));
        run.assert_code(1);
        assert!(
            !run.stdout.contains('\x1b'),
            "ANSI escapes with NO_COLOR=1:\n{}",
            run.stdout
        );
        assert!(run.stdout.contains("charter.kdl:21:11"), "{}", run.stdout);
    }
    let missing = run(charter()
        .env("NO_COLOR", "1")
        .args(["validate", "--spec", "no/such/dir"]));
    missing.assert_code(1);
    assert!(
        !missing.stderr.contains('\x1b'),
        "ANSI escapes with NO_COLOR=1:\n{}",
        missing.stderr
    );
}

/// Runs `charter ARGS...` in `dir` on a pseudo-terminal (through util-linux
/// `script`), with extra environment variables; `None` where `script` is missing.
fn on_a_terminal(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Option<Run> {
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let binary = assert_cmd::cargo::cargo_bin("charter");
    let mut words = vec!["env".to_string()];
    for var in RENDER_ENV {
        words.extend(["-u".to_string(), (*var).to_string()]);
    }
    words.extend(
        env.iter()
            .map(|(key, value)| format!("{key}={}", quote(value))),
    );
    words.push(quote(&binary.display().to_string()));
    words.extend(args.iter().map(|arg| quote(arg)));
    let line = words.join(" ");
    let output = std::process::Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .current_dir(dir)
        .output()
        .ok()?;
    // `script` without util-linux options fails at once, before running anything.
    let stdout = String::from_utf8(output.stdout).ok()?.replace("\r\n", "\n");
    if stdout.is_empty() {
        return None;
    }
    Some(Run {
        status: output.status,
        stdout,
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    })
}

#[test]
fn a_terminal_gets_the_colored_graphical_report() {
    let dir = case_dir("broken-spec");
    let Some(run) = on_a_terminal(dir.path(), &[], &["validate", "--today", TODAY]) else {
        eprintln!("skipped: no util-linux `script` to provide a terminal");
        return;
    };
    run.assert_code(1);
    assert!(
        run.stdout.contains("\x1b["),
        "no colors on a terminal:\n{}",
        run.stdout
    );
    assert!(
        strip_ansi(&run.stdout).contains("[charter.kdl:21:11]"),
        "{}",
        run.stdout
    );
}

#[test]
fn no_color_on_a_terminal_gives_the_plain_graphical_report() {
    let dir = case_dir("broken-spec");
    let Some(run) = on_a_terminal(
        dir.path(),
        &[("NO_COLOR", "1")],
        &["validate", "--today", TODAY],
    ) else {
        eprintln!("skipped: no util-linux `script` to provide a terminal");
        return;
    };
    run.assert_code(1);
    assert!(
        !run.stdout.contains('\x1b'),
        "ANSI escapes with NO_COLOR=1:\n{}",
        run.stdout
    );
    // graphical (not narrated): the location in brackets under the message
    assert!(run.stdout.contains("[charter.kdl:21:11]"), "{}", run.stdout);
    let never = on_a_terminal(
        dir.path(),
        &[],
        &["--color", "never", "validate", "--today", TODAY],
    );
    assert_eq!(never.map(|r| r.stdout), Some(run.stdout));
}

#[test]
fn color_never_on_a_terminal_keeps_operational_errors_plain() {
    let dir = spec_dir(&[]);
    let args = ["--color", "never", "validate", "--spec", "no-such-spec"];
    let Some(run) = on_a_terminal(dir.path(), &[], &args) else {
        eprintln!("skipped: no util-linux `script` to provide a terminal");
        return;
    };
    run.assert_code(1);
    // `script` puts stderr on the same terminal as stdout.
    assert!(run.stdout.contains("no-such-spec"), "{}", run.stdout);
    assert!(
        !run.stdout.contains('\x1b'),
        "ANSI escapes with --color never:\n{}",
        run.stdout
    );
}

#[test]
fn color_always_emits_ansi_escapes() {
    let dir = case_dir("broken-spec");
    let run = validate_in(dir.path(), &["--color", "always"]);
    run.assert_code(1);
    assert!(
        run.stdout.contains("\x1b["),
        "no ANSI escapes:\n{}",
        run.stdout
    );
    let plain = strip_ansi(&run.stdout);
    for expected in [
        "[charter.kdl:21:11]",
        "no app has this name",
        "did you mean `hello`?",
        "spec/unknown-reference",
    ] {
        assert!(plain.contains(expected), "missing {expected:?} in\n{plain}");
    }
    assert!(
        run.stdout
            .ends_with("spec has 4 errors, 0 warnings: 2 files checked\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn never_color_on_a_pipe_is_the_narrated_report() {
    let dir = case_dir("broken-spec");
    let never = validate_in(dir.path(), &["--color", "never"]);
    let auto = validate_in(dir.path(), &[]);
    never.assert_code(1);
    assert_eq!(never.stdout, auto.stdout);
}

// ---------------------------------------------------------------- one pass

#[test]
fn every_error_in_two_files_is_reported_in_one_pass_sorted_by_file_and_position() {
    let dir = case_dir("broken-spec");
    let run = validate_in(dir.path(), &["--format", "json"]);
    run.assert_code(1);
    let at =
        |file: &str, line, column, code: &str| (file.to_string(), line, column, code.to_string());
    assert_eq!(
        positions(&run.json()),
        vec![
            at("charter.kdl", 16, 27, "spec/unknown-reference"),
            at("charter.kdl", 21, 11, "spec/unknown-reference"),
            at("environments/qa.kdl", 2, 13, "spec/duplicate-name"),
            at("environments/qa.kdl", 8, 11, "spec/unknown-reference"),
        ]
    );
    // The human report lists them in the same order.
    let human = validate_in(dir.path(), &[]);
    let order: Vec<usize> = [
        "charter.kdl:16:27",
        "charter.kdl:21:11",
        "environments/qa.kdl:2:13",
        "environments/qa.kdl:8:11",
    ]
    .iter()
    .map(|at| {
        human
            .stdout
            .find(at)
            .unwrap_or_else(|| panic!("{at} missing:\n{}", human.stdout))
    })
    .collect();
    assert!(
        order.is_sorted(),
        "out of order: {order:?}\n{}",
        human.stdout
    );
}

// ---------------------------------------------------------------- unusable spec directories

/// An operational error: exit 1, the message and help on stderr, nothing on stdout.
fn assert_operational_error(run: &Run, path: &str) {
    run.assert_code(1);
    assert_eq!(run.stdout, "", "nothing belongs on stdout");
    assert!(
        run.stderr.contains(&format!("`{path}`")),
        "the path is not named:\n{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("help:"),
        "no help line:\n{}",
        run.stderr
    );
}

#[test]
fn a_missing_spec_directory_is_named_with_a_help_line() {
    let dir = spec_dir(&[]);
    let run = validate_in(dir.path(), &["--spec", "no-such-spec"]);
    assert_operational_error(&run, "no-such-spec");
    snapshot!("validate_missing_spec_dir", scrub(&run.stderr, dir.path()));
}

#[test]
fn a_file_given_as_the_spec_directory_is_named_with_a_help_line() {
    let dir = spec_dir(&[("charter.kdl", minimal_example().as_bytes())]);
    let run = validate_in(dir.path(), &["--spec", "charter.kdl"]);
    assert_operational_error(&run, "charter.kdl");
    snapshot!("validate_spec_is_a_file", scrub(&run.stderr, dir.path()));
}

#[test]
fn a_directory_without_charter_kdl_is_named_with_a_help_line() {
    let dir = spec_dir(&[("empty/environments/dev.kdl", b"environment \"dev\" {\n}\n")]);
    let run = validate_in(dir.path(), &["--spec", "empty"]);
    assert_operational_error(&run, "empty");
    assert!(run.stderr.contains("charter.kdl"), "{}", run.stderr);
    snapshot!("validate_no_root_file", scrub(&run.stderr, dir.path()));
}

#[test]
fn an_absolute_missing_path_is_named_as_given() {
    let dir = spec_dir(&[]);
    let missing = dir.path().join("gone");
    let run = validate_in(
        dir.path(),
        &["--spec", missing.to_str().expect("UTF-8 temp path")],
    );
    assert_operational_error(&run, &missing.display().to_string());
    assert!(
        scrub(&run.stderr, dir.path()).contains("`[TEMP]/gone`"),
        "{}",
        run.stderr
    );
}

// ---------------------------------------------------------------- syntax

#[test]
fn a_file_that_is_not_utf8_is_named_in_the_finding() {
    let dir = spec_dir(&[
        ("charter.kdl", minimal_example().as_bytes()),
        (
            "environments/latin1.kdl",
            b"// caf\xe9 au lait\nenvironment \"qa\" {\n}\n",
        ),
    ]);
    let run = validate_in(dir.path(), &["--format", "json"]);
    run.assert_code(1);
    assert_eq!(run.stderr, "");
    let report = run.json();
    assert_eq!(
        positions(&report),
        vec![(
            "environments/latin1.kdl".to_string(),
            1,
            7,
            "syntax/not-utf8".to_string()
        )]
    );
    let message = report["findings"][0]["message"].as_str().expect("message");
    assert!(message.contains("environments/latin1.kdl"), "{message}");
    let human = validate_in(dir.path(), &[]);
    human.assert_code(1);
    snapshot!("validate_not_utf8", scrub(&human.stdout, dir.path()));
}

#[test]
fn kdl_v1_booleans_are_diagnosed_with_the_v2_spelling() {
    let dir = spec_dir(&[
        ("charter.kdl", minimal_example().as_bytes()),
        (
            "environments/base.kdl",
            b"environment \"base\" abstract=true {\n    region \"us-west-2\"\n}\n",
        ),
    ]);
    let run = validate_in(dir.path(), &["--format", "json"]);
    run.assert_code(1);
    let report = run.json();
    assert_eq!(codes(&report), vec!["syntax/kdl-v1"]);
    let finding = &report["findings"][0];
    assert_eq!(finding["file"], "environments/base.kdl");
    assert!(
        finding["message"]
            .as_str()
            .expect("message")
            .contains("KDL v1"),
        "{finding:#}"
    );
    assert!(
        finding["help"].as_str().expect("help").contains("`#true`"),
        "{finding:#}"
    );
    let human = validate_in(dir.path(), &[]);
    human.assert_code(1);
    snapshot!("validate_kdl_v1", scrub(&human.stdout, dir.path()));
}

/// `a {` nested `levels` deep (and closed again).
fn nested(levels: usize) -> String {
    format!("{}{}\n", "a {".repeat(levels), "}".repeat(levels))
}

/// Deep nesting is a `syntax/too-deep` finding, and the process exits normally.
fn assert_too_deep(text: &str) {
    let dir = spec_dir(&[("charter.kdl", text.as_bytes())]);
    let run = validate_in(dir.path(), &["--format", "json"]);
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt as _;
        assert_eq!(
            run.status.signal(),
            None,
            "killed by a signal: {:?}\n{}",
            run.status,
            run.stderr
        );
    }
    run.assert_code(1);
    assert_eq!(run.stderr, "");
    assert_eq!(codes(&run.json()), vec!["syntax/too-deep"]);
}

#[test]
fn nesting_5_000_levels_deep_is_a_finding_not_a_crash() {
    assert_too_deep(&nested(5_000));
}

#[test]
fn nesting_100_000_levels_deep_is_a_finding_not_a_crash() {
    assert_too_deep(&nested(100_000));
}

/// Nesting after text that the depth scan reads as a string running to the end of
/// the file, while the parser recovers from the error and parses the blocks.
#[test]
fn nesting_after_an_unterminated_string_is_a_finding_not_a_crash() {
    let deep = nested(5_000);
    for prefix in [
        // a missing closing quote: the scan runs to the end of the file
        "node \"abc\n",
        // an unterminated raw string
        "node ##\"abc\" ",
        // `#"` glued to a name: no raw string for the parser
        "x#\"a\" ",
        // a KDL v1 raw string ending in a backslash: the scan reads `\"` as an escape
        "node r\"\\\"\n",
    ] {
        let text = format!("{prefix}{deep}");
        let dir = spec_dir(&[("charter.kdl", text.as_bytes())]);
        let run = validate_in(dir.path(), &["--format", "json"]);
        run.assert_code(1);
        assert!(
            codes(&run.json()).contains(&"syntax/too-deep".to_string()),
            "{prefix:?}: {}",
            run.stdout
        );
    }
}

// ---------------------------------------------------------------- hostile names

/// An environment with a hostile name next to a valid one: exactly one
/// `spec/invalid-name` finding, at the name, saying why.
fn assert_invalid_environment_name(name: &str, reason: &str) {
    let text = format!(
        "{}\nenvironment \"{name}\" extends=\"dev\" {{\n    domain \"other.example.com\"\n}}\n",
        minimal_example()
    );
    let line = text
        .lines()
        .position(|l| l.contains(&format!("\"{name}\"")))
        .expect("the line")
        + 1;
    let dir = spec_dir(&[("charter.kdl", text.as_bytes())]);
    let run = validate_in(dir.path(), &["--format", "json"]);
    run.assert_code(1);
    let report = run.json();
    let expected = (
        "charter.kdl".to_string(),
        line as u64,
        13,
        "spec/invalid-name".to_string(),
    );
    assert_eq!(positions(&report), vec![expected], "{name}");
    let message = report["findings"][0]["message"].as_str().expect("message");
    assert!(
        message.contains(reason) && message.contains(name),
        "{message}"
    );
    assert!(
        report["findings"][0]["help"]
            .as_str()
            .is_some_and(|h| h.contains("lowercase")),
        "{report:#}"
    );

    // The only environment, renamed: the name is still reported (besides whatever
    // else a spec without a valid environment gets).
    let text = minimal_example().replace("environment \"dev\"", &format!("environment \"{name}\""));
    let dir = spec_dir(&[("charter.kdl", text.as_bytes())]);
    let run = validate_in(dir.path(), &["--format", "json"]);
    run.assert_code(1);
    assert!(
        codes(&run.json()).contains(&"spec/invalid-name".to_string()),
        "{}",
        run.stdout
    );
}

#[test]
fn an_environment_named_like_a_path_is_rejected() {
    assert_invalid_environment_name("../x", "it would be a path");
}

#[test]
fn an_environment_name_with_uppercase_is_rejected() {
    assert_invalid_environment_name("Prod", "uppercase");
}

#[test]
fn an_environment_name_with_a_space_is_rejected() {
    assert_invalid_environment_name("my env", "whitespace");
}

#[test]
fn an_environment_name_of_70_characters_is_rejected() {
    assert_invalid_environment_name(&format!("env-{}", "x".repeat(66)), "longer than 63");
}

// ---------------------------------------------------------------- bad usage

/// Bad usage: exit 64, clap's message on stderr, nothing on stdout.
fn assert_bad_usage(args: &[&str], name: &str) {
    let run = charter_with(args);
    run.assert_code(64);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    assert!(run.stderr.contains("--help"), "{}", run.stderr);
    snapshot!(name, run.stderr);
}

#[test]
fn an_unknown_subcommand_is_bad_usage() {
    assert_bad_usage(&["frobnicate"], "usage_unknown_subcommand");
}

#[test]
fn an_unknown_flag_is_bad_usage() {
    assert_bad_usage(&["validate", "--strict"], "usage_unknown_flag");
}

#[test]
fn an_unknown_format_is_bad_usage() {
    assert_bad_usage(&["validate", "--format", "yaml"], "usage_unknown_format");
}

#[test]
fn an_impossible_date_is_bad_usage() {
    assert_bad_usage(
        &["validate", "--today", "2026-13-45"],
        "usage_impossible_date",
    );
}

#[test]
fn explain_with_both_a_code_and_list_is_bad_usage() {
    assert_bad_usage(
        &["explain", "--list", "spec/cycle"],
        "usage_explain_code_and_list",
    );
}

#[test]
fn no_subcommand_is_bad_usage_with_the_help_on_stderr() {
    let run = charter_with(&[]);
    run.assert_code(64);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.contains("Usage: charter [OPTIONS] <COMMAND>"),
        "{}",
        run.stderr
    );
}

#[test]
fn help_is_printed_on_stdout_with_exit_0() {
    let run = charter_with(&["--help"]);
    run.assert_code(0);
    assert_eq!(run.stderr, "");
    // Not snapshotted: the command list grows with every command.
    for expected in [
        "Usage: charter [OPTIONS] <COMMAND>",
        "\n  validate ",
        "\n  explain ",
        "--color <COLOR>",
        "Exit codes: 0 clean, 1 errors, 2 changes found (diff, drift), 64 bad usage.",
    ] {
        assert!(
            run.stdout.contains(expected),
            "missing {expected:?} in\n{}",
            run.stdout
        );
    }
    // `help` and `-h` say the same.
    assert_eq!(charter_with(&["help"]).stdout, run.stdout);
}

#[test]
fn version_is_printed_on_stdout_with_exit_0() {
    let run = charter_with(&["--version"]);
    run.assert_code(0);
    assert_eq!(run.stderr, "");
    assert_eq!(
        run.stdout,
        format!("charter {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn validate_help_shows_examples() {
    let run = charter_with(&["validate", "--help"]);
    run.assert_code(0);
    assert_eq!(run.stderr, "");
    // Not snapshotted: validate gains flags as the tool grows.
    for expected in [
        "Usage: charter validate [OPTIONS]",
        "--spec <DIR>",
        "--format <FORMAT>",
        "--today <DATE>",
        "\nExamples:\n  charter validate\n  charter validate --spec examples/minimal\n",
        "charter validate --format json",
    ] {
        assert!(
            run.stdout.contains(expected),
            "missing {expected:?} in\n{}",
            run.stdout
        );
    }
}

// ---------------------------------------------------------------- explain

#[test]
fn explain_prints_the_long_text_of_a_code() {
    let run = charter_with(&["explain", "spec/unknown-reference"]);
    run.assert_code(0);
    assert_eq!(run.stderr, "");
    assert!(
        run.stdout
            .starts_with("spec/unknown-reference\n\nDefault level: deny"),
        "{}",
        run.stdout
    );
    assert_eq!(
        run.stdout,
        charter::cmd::explain::explanation(Code::UnknownReference)
    );
    assert!(run.stdout.len() > 500, "not the long form:\n{}", run.stdout);
}

#[test]
fn explain_list_names_every_code_once() {
    let run = charter_with(&["explain", "--list"]);
    run.assert_code(0);
    assert_eq!(run.stderr, "");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), Code::ALL.len(), "{}", run.stdout);
    for (line, code) in lines.iter().zip(Code::ALL) {
        let mut words = line.split_whitespace();
        assert_eq!(words.next(), Some(code.name()), "{line}");
        assert_eq!(words.next(), Some(code.info().level.as_str()), "{line}");
        assert!(line.ends_with(code.info().summary), "{line}");
    }
}

#[test]
fn explain_of_an_unknown_code_fails_with_a_help_line() {
    let run = charter_with(&["explain", "nope/x"]);
    run.assert_code(1);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.contains("unknown code `nope/x`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("help: `charter explain --list` lists every code"),
        "{}",
        run.stderr
    );
    snapshot!("explain_unknown_code", run.stderr);
}

#[test]
fn explain_suggests_the_right_code_for_a_near_miss() {
    let run = charter_with(&["explain", "spec/unknown-refrence"]);
    run.assert_code(1);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr
            .contains("did you mean `spec/unknown-reference`?"),
        "{}",
        run.stderr
    );
}

#[test]
fn explain_without_a_code_is_bad_usage() {
    let run = charter_with(&["explain"]);
    run.assert_code(64);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("<CODE>"), "{}", run.stderr);
}

/// The stage names of a `--timings` report (after its `timings:` line).
fn stage_names(report: &str) -> Vec<&str> {
    report
        .lines()
        .skip(1)
        .filter_map(|line| line.split_whitespace().next())
        .collect()
}

#[test]
fn timings_go_to_stderr_stage_by_stage_and_leave_stdout_alone() {
    let plain = charter_with(&["check", "--today", TODAY, "--format", "json"]);
    let timed = charter_with(&["--timings", "check", "--today", TODAY, "--format", "json"]);
    assert_eq!(timed.status.code(), plain.status.code());
    assert_eq!(timed.stdout, plain.stdout, "stdout is the same JSON");
    assert!(plain.stderr.is_empty(), "{}", plain.stderr);
    assert_eq!(
        stage_names(&timed.stderr),
        [
            "load", "parse", "resolve", "check", "emit", "schemas", "compare", "other", "total"
        ],
        "{}",
        timed.stderr
    );
    for line in timed.stderr.lines().skip(1) {
        assert!(line.trim_end().ends_with(" ms"), "{line}");
    }
    // A global flag: after the subcommand too.
    let after = charter_with(&["validate", "--today", TODAY, "--timings"]);
    assert_eq!(
        stage_names(&after.stderr),
        [
            "load", "parse", "resolve", "check", "report", "other", "total"
        ],
        "{}",
        after.stderr
    );
}
