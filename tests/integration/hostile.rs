//! Hostile input, run through the real binary: what a small file can do to the
//! parser (nesting, comment chains), files that point outside the spec, huge
//! strings, and positions under every KDL v2 newline. Each case must end in a
//! finding or a clear error, never a crash, a hang or a leak.

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
