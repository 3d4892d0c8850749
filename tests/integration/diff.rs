//! `charter diff` as users call it: a temporary git repository holding a copy of this
//! repository's spec, two commits, and the binary run there (`--base HEAD~1`,
//! `--base-dir`). Snapshots of the human, JSON and Markdown reports live under
//! `snapshots/diff/`; errors, exit codes, truncation and the secret canary are asserted.

use std::path::Path;
use std::process::Command;

use tempfile::TempDir;

use crate::support;

pub const TODAY: &str = "2026-11-25";

/// Values that must never reach any output: in the process environment and in a
/// committed file outside the spec paths, and as a plain credential-named variable.
pub const CANARY: &str = "canary-7f3a9c1e5b";

macro_rules! snapshot {
    ($name:expr, $value:expr) => {
        insta::with_settings!({snapshot_path => "snapshots/diff", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!($name, $value);
        });
    };
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=test",
            "-c",
            "user.email=test@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A repository whose first commit is this repository's spec (with a canary file
/// that is not part of the spec).
pub fn repo() -> TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = support::repo_root();
    std::fs::copy(root.join("charter.kdl"), dir.path().join("charter.kdl")).expect("copy");
    support::copy_dir(&root.join("environments"), &dir.path().join("environments"));
    support::copy_dir(&root.join("policies"), &dir.path().join("policies"));
    std::fs::write(
        dir.path().join(".env"),
        format!("OPENAI_API_KEY={CANARY}\n"),
    )
    .expect("write");
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "base"]);
    dir
}

pub fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.contains(from), "{file} has no `{from}`");
    std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
}

pub fn commit(dir: &Path) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "head"]);
}

/// The edits of a typical pull request: a parent group gains a model, staging loses
/// an approval, the SDM audit trail gets shorter, a secret is added, an alert's
/// threshold moves.
pub fn change_spec(dir: &Path) {
    edit(
        dir,
        "policies/access.kdl",
        "\"gpt-4o-mini\"",
        "\"gpt-4o-mini\" \"gpt-5*\"",
    );
    edit(
        dir,
        "environments/staging.kdl",
        "approvals=1",
        "approvals=0",
    );
    edit(
        dir,
        "policies/retention.kdl",
        "audit-logs=\"730d\"",
        "audit-logs=\"500d\"",
    );
    edit(
        dir,
        "environments/base.kdl",
        "    secret \"okta-client-secret\"",
        "    secret \"search-api-key\" store=\"ssm\" for=\"webui\" env=\"SEARCH_API_KEY\" rotate=\"90d\"\n    secret \"okta-client-secret\"",
    );
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn diff(dir: &Path, args: &[&str]) -> Run {
    let out = support::charter_bin()
        .current_dir(dir)
        .arg("diff")
        .args(["--today", TODAY])
        .args(args)
        .env("AWS_SECRET_ACCESS_KEY", CANARY)
        .env("GITHUB_TOKEN", CANARY)
        .output()
        .expect("charter runs");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).expect("utf-8"),
        stderr: String::from_utf8(out.stderr).expect("utf-8"),
    }
}

#[test]
fn a_pull_request_in_words_risky_first_in_every_format() {
    let dir = repo();
    change_spec(dir.path());
    commit(dir.path());
    let status_before = git(dir.path(), &["status", "--porcelain"]);
    let human = diff(dir.path(), &["--base", "HEAD~1"]);
    assert_eq!(human.code, Some(2), "{}{}", human.stdout, human.stderr);
    let summary: String = human
        .stdout
        .split("\nFiles\n")
        .next()
        .unwrap_or_default()
        .to_string();
    snapshot!("pull_request_human", summary);
    // The parent's change shows on every group that inherits it, naming the parent;
    // under the `*` that caas-admins holds, it widens nothing.
    assert!(
        human.stdout.contains(
            "    - group `caas-admins` gained model pattern `gpt-5*` (inherited from `caas-users`), already granted by `*`\n"
        ),
        "{}",
        human.stdout
    );
    for child in ["caas-builders", "caas-sdm"] {
        assert!(
            human.stdout.contains(&format!(
                "group `{child}` gained model pattern `gpt-5*` (inherited from `caas-users`)"
            )),
            "{child}: {}",
            human.stdout
        );
    }
    // Risky changes come first.
    let risky = human.stdout.find("Risky changes").expect("risky section");
    let other = human.stdout.find("\nChanges\n").expect("changes section");
    assert!(risky < other);
    assert!(
        human.stdout.contains("--- a/katana/staging/webui.yaml")
            || human
                .stdout
                .contains("--- a/github/workflows/deploy-staging.yml")
    );

    let json = diff(dir.path(), &["--base", "HEAD~1", "--format", "json"]);
    assert_eq!(json.code, Some(2));
    let value: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    assert_eq!(value["version"], 1);
    let changes = value["changes"].as_array().expect("changes");
    let first_safe = changes
        .iter()
        .position(|c| c["risk"].is_null())
        .unwrap_or(changes.len());
    assert!(
        changes[first_safe..].iter().all(|c| c["risk"].is_null()),
        "risky first"
    );
    let mut shape = value.clone();
    shape["files"] = serde_json::json!(value["files"].as_array().map(Vec::len));
    snapshot!(
        "pull_request_json",
        serde_json::to_string_pretty(&shape).expect("json")
    );

    let markdown = diff(dir.path(), &["--base", "HEAD~1", "--format", "markdown"]);
    assert_eq!(markdown.code, Some(2));
    assert!(markdown.stdout.starts_with("<!-- charter-diff -->\n"));
    assert!(
        markdown.stdout.contains(
            "<details><summary><code>github/workflows/deploy-staging.yml</code> +2 −19</summary>\n\n```diff\n--- a/github/workflows/deploy-staging.yml\n"
        ),
        "{}",
        markdown.stdout
    );
    assert_eq!(
        markdown.stdout.matches("<details>").count(),
        24,
        "one per file"
    );
    assert!(markdown.stdout.len() < 65_536);
    let head: String = markdown
        .stdout
        .split("\n#### Files\n")
        .next()
        .unwrap_or_default()
        .to_string();
    snapshot!("pull_request_markdown", head);

    for run in [&human, &json, &markdown] {
        assert!(
            !run.stdout.contains(CANARY) && !run.stderr.contains(CANARY),
            "canary leaked"
        );
    }
    assert_eq!(
        git(dir.path(), &["status", "--porcelain"]),
        status_before,
        "the working tree is untouched"
    );
}

#[test]
fn reordered_nodes_and_comments_are_no_change() {
    let dir = repo();
    let path = dir.path().join("policies/access.kdl");
    let text = std::fs::read_to_string(&path).expect("read");
    // The groups in reverse order, with a comment on top.
    let (head, groups) = text.split_at(text.find("// Everyone with").expect("groups"));
    let mut blocks: Vec<&str> = groups.split("\n\n").collect();
    blocks.reverse();
    std::fs::write(
        &path,
        format!("// reordered\n{head}{}\n", blocks.join("\n\n").trim_end()),
    )
    .expect("write");
    let run = diff(dir.path(), &["--base", "HEAD"]);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    snapshot!("reordered", run.stdout);
}

#[test]
fn base_dir_compares_two_directories() {
    let base = repo();
    let head = repo();
    edit(
        head.path(),
        "environments/prod.kdl",
        "change-ticket=#true",
        "change-ticket=#false",
    );
    let run = diff(
        head.path(),
        &["--base-dir", &base.path().display().to_string()],
    );
    assert_eq!(
        run.code,
        Some(1),
        "a production deploy without ticket breaks the guardrail: {}",
        run.stdout
    );
    assert!(run.stderr.contains("the head spec"), "{}", run.stderr);
    let head = repo();
    edit(
        head.path(),
        "environments/staging.kdl",
        "approvals=1",
        "approvals=2",
    );
    let run = diff(
        head.path(),
        &["--base-dir", &base.path().display().to_string()],
    );
    assert_eq!(run.code, Some(2), "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("environment `staging`: deploy approvals `1` → `2`"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("Risky changes"),
        "more approvals is not risky: {}",
        run.stdout
    );
}

#[test]
fn errors_name_what_is_wrong() {
    let dir = repo();
    let unknown = diff(dir.path(), &["--base", "no-such-rev"]);
    assert_eq!(unknown.code, Some(1));
    assert!(
        unknown.stderr.contains("unknown revision `no-such-rev`"),
        "{}",
        unknown.stderr
    );

    let plain = tempfile::tempdir().expect("tempdir");
    support::copy_dir(
        &support::repo_root().join("environments"),
        &plain.path().join("environments"),
    );
    std::fs::copy(
        support::repo_root().join("charter.kdl"),
        plain.path().join("charter.kdl"),
    )
    .expect("copy");
    let outside = diff(plain.path(), &["--base", "HEAD", "--spec", "."]);
    assert_eq!(outside.code, Some(1));
    assert!(
        outside.stderr.contains("not inside a git repository"),
        "{}",
        outside.stderr
    );

    std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
    std::fs::write(dir.path().join("sub/charter.kdl"), "platform \"x\"\n").expect("write");
    let absent = diff(dir.path(), &["--base", "HEAD", "--spec", "sub"]);
    assert_eq!(absent.code, Some(1));
    assert!(
        absent.stderr.contains("the spec is not at revision `HEAD`"),
        "{}",
        absent.stderr
    );

    edit(
        dir.path(),
        "environments/dev.kdl",
        "extends=\"base\"",
        "extends=\"bse\"",
    );
    let broken = diff(dir.path(), &["--base", "HEAD"]);
    assert_eq!(broken.code, Some(1));
    assert!(
        broken.stderr.contains("environment `bse` is not defined"),
        "{}",
        broken.stderr
    );
    assert!(
        broken.stderr.contains("the head spec (.) does not compile"),
        "{}",
        broken.stderr
    );

    let usage = diff(dir.path(), &[]);
    assert_eq!(usage.code, Some(64), "{}", usage.stderr);
    let both = diff(dir.path(), &["--base", "HEAD", "--base-dir", "."]);
    assert_eq!(both.code, Some(64), "{}", both.stderr);
}

#[test]
fn a_credential_named_plain_variable_never_shows_its_value() {
    let dir = repo();
    let waiver = "\nwaiver \"secrets/plain-env-secret\" {\n    reason \"test\"\n    ticket \"T-1\"\n    owner \"caas-platform\"\n    expires \"2027-01-31\"\n}\n";
    edit(
        dir.path(),
        "environments/dev.kdl",
        "    env \"DATABASE_POOL_SIZE\"",
        "    env \"LEGACY_TOKEN\" \"old-value-1\" app=\"webui\"\n    env \"DATABASE_POOL_SIZE\"",
    );
    let g = dir.path().join("policies/guardrails.kdl");
    let text = std::fs::read_to_string(&g).expect("read");
    std::fs::write(&g, format!("{text}{waiver}")).expect("write");
    commit(dir.path());
    edit(dir.path(), "environments/dev.kdl", "old-value-1", CANARY);
    for format in ["human", "json", "markdown"] {
        let run = diff(dir.path(), &["--base", "HEAD", "--format", format]);
        assert!(
            matches!(run.code, Some(0 | 2)),
            "{}{}",
            run.stdout,
            run.stderr
        );
        assert!(
            !run.stdout.contains(CANARY) && !run.stderr.contains(CANARY),
            "{format} leaked:\n{}",
            run.stdout
        );
        assert!(
            !run.stdout.contains("old-value-1"),
            "{format} leaked the old value:\n{}",
            run.stdout
        );
    }
}

#[test]
fn markdown_stays_under_the_limit_with_a_note() {
    let dir = repo();
    change_spec(dir.path());
    let (base_model, base_set) = support::emitted(&support::repo_root());
    let (head_model, head_set) = support::emitted(dir.path());
    let base_digest = charter::emit::spec_digest(&support::load(&support::repo_root()));
    let head_digest = charter::emit::spec_digest(&support::load(dir.path()));
    let diff = charter::diff::diff(
        &charter::diff::Side {
            model: &base_model,
            artifacts: &base_set,
            spec_digest: &base_digest,
        },
        &charter::diff::Side {
            model: &head_model,
            artifacts: &head_set,
            spec_digest: &head_digest,
        },
    );
    let full = charter::diff::render_markdown::render(&diff, "main", "head");
    let short = charter::diff::render_markdown::render_within(&diff, "main", "head", 4_000);
    assert!(
        full.len() > 4_000,
        "the full comment is long enough to truncate"
    );
    assert!(short.len() <= 4_000, "{} bytes", short.len());
    assert!(
        short.contains("left out to keep this comment under GitHub's 65,536-character limit"),
        "{short}"
    );
}
