//! The pull-request comment step of the generated `charter.yml`, run as GitHub runs
//! it (`bash -eo pipefail`) in a temporary git repository with the real `git` and the
//! real `charter` binary; only `gh` is a fake, which answers the comment listing from a
//! JSON file through the step's own `--jq` filter (evaluated by jq) and records every
//! write. One comment is posted, then edited in place; others' comments are left
//! alone; a fork's pull request, an unchanged spec and a failing diff post nothing.

use std::path::Path;
use std::process::Command;

use serde_json::Value;
use tempfile::TempDir;

use crate::diff::{CANARY, TODAY, change_spec, commit, edit, repo};
use crate::support;

const STEP: &str = "Review the change (charter diff comment)";

/// The step's script and environment, from this repository's generated `charter.yml`.
fn step() -> (String, Value) {
    let (_, set) = support::emitted(&support::repo_root());
    let artifact = set
        .get("github/workflows/charter.yml")
        .expect("charter.yml");
    let workflow: Value = serde_norway::from_str(&artifact.contents).expect("YAML");
    let job = &workflow["jobs"]["charter"];
    assert_eq!(job["permissions"]["pull-requests"], "write");
    assert_eq!(
        job["steps"][0]["with"]["fetch-depth"], 2,
        "the base (the merge commit's first parent) is fetched"
    );
    let step = job["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find(|s| s["name"] == STEP)
        .expect("the comment step")
        .clone();
    assert_eq!(step["if"], "${{ github.event_name == 'pull_request' }}");
    assert_eq!(step["env"]["GH_TOKEN"], "${{ github.token }}");
    (step["run"].as_str().expect("a script").to_string(), step)
}

/// A `gh` that lists comments from `comments.json` through `--jq` and records writes.
const FAKE_GH: &str = r#"#!/bin/sh
[ -n "$GH_TOKEN" ] || { echo "gh: no token" >&2; exit 4; }
[ "$1" = api ] || { echo "gh: only api" >&2; exit 3; }
shift
method=GET; url=; filter=; body=
while [ $# -gt 0 ]; do
  case "$1" in
    --paginate) ;;
    --method) method=$2; shift ;;
    --jq) filter=$2; shift ;;
    -F) body=${2#body=@}; shift ;;
    *) url=$1 ;;
  esac
  shift
done
if [ "$method" = GET ]; then
  echo "GET $url" >> "$FAKE/reads.log"
  jq -r "$filter" "$FAKE/comments.json"
else
  echo "$method $url" >> "$FAKE/writes.log"
  cp "$body" "$FAKE/posted.md"
  echo '{}'
fi
"#;

struct Outcome {
    code: Option<i32>,
    log: String,
    writes: String,
    posted: String,
    summary: String,
}

/// Runs the step in `repo` with `comments` as the pull request's comments.
fn run(repo: &Path, comments: &Value, same_repository: bool) -> Outcome {
    let (script, _) = step();
    let fake = tempfile::tempdir().expect("tempdir");
    let bin = fake.path().join("bin");
    std::fs::create_dir(&bin).expect("mkdir");
    let charter = format!(
        "#!/bin/sh\nexec '{}' \"$@\" --today {TODAY}\n",
        env!("CARGO_BIN_EXE_charter")
    );
    for (name, text) in [("gh", FAKE_GH), ("charter", charter.as_str())] {
        let path = bin.join(name);
        std::fs::write(&path, text).expect("write");
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .expect("chmod");
    }
    std::fs::write(fake.path().join("comments.json"), comments.to_string()).expect("write");
    let temp = fake.path().join("runner-temp");
    std::fs::create_dir(&temp).expect("mkdir");
    let summary = fake.path().join("summary.md");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", &script])
        .current_dir(repo)
        .env("PATH", path)
        .env("FAKE", fake.path())
        .env("RUNNER_TEMP", &temp)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_REPOSITORY", "example-org/caas-open-webui")
        .env("PULL_REQUEST", "7")
        .env("SAME_REPOSITORY", same_repository.to_string())
        .env("GH_TOKEN", CANARY)
        .output()
        .expect("bash runs");
    let read = |name: &str| std::fs::read_to_string(fake.path().join(name)).unwrap_or_default();
    let outcome = Outcome {
        code: out.status.code(),
        log: format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        writes: read("writes.log"),
        posted: read("posted.md"),
        summary: read("summary.md"),
    };
    for text in [&outcome.log, &outcome.posted, &outcome.summary] {
        assert!(!text.contains(CANARY), "the token leaked: {text}");
    }
    outcome
}

fn changed_repo() -> TempDir {
    let dir = repo();
    change_spec(dir.path());
    commit(dir.path());
    dir
}

fn comment(id: u64, login: &str, body: &str) -> Value {
    serde_json::json!({ "id": id, "user": { "login": login }, "body": body })
}

#[test]
fn the_step_finds_its_comment_by_the_renderers_marker() {
    let (script, _) = step();
    assert!(
        script.contains(&format!(
            r#"startswith("{}")"#,
            charter::diff::render_markdown::MARKER
        )),
        "{script}"
    );
}

#[test]
fn a_first_push_posts_the_comment_and_a_later_one_edits_it() {
    let dir = changed_repo();
    let first = run(dir.path(), &serde_json::json!([]), true);
    assert_eq!(first.code, Some(0), "{}", first.log);
    assert_eq!(
        first.writes,
        "POST repos/example-org/caas-open-webui/issues/7/comments\n"
    );
    assert!(
        first.posted.starts_with("<!-- charter-diff -->\n"),
        "{}",
        first.posted
    );
    assert!(
        first.posted.contains(
            "group `caas-builders` gained model pattern `gpt-5*` (inherited from `caas-users`)"
        ),
        "{}",
        first.posted
    );
    assert_eq!(first.summary, first.posted, "the job summary has the diff");

    // Someone quoting the marker, and the bot's other comments, are not touched.
    let comments = serde_json::json!([
        comment(11, "mallory", "<!-- charter-diff -->\nnot charter's"),
        comment(12, "github-actions[bot]", "another workflow's comment"),
        comment(
            13,
            "github-actions[bot]",
            "<!-- charter-diff -->\nthe first push"
        ),
    ]);
    let later = run(dir.path(), &comments, true);
    assert_eq!(later.code, Some(0), "{}", later.log);
    assert_eq!(
        later.writes,
        "PATCH repos/example-org/caas-open-webui/issues/comments/13\n"
    );
    assert_eq!(later.posted, first.posted);
}

#[test]
fn no_change_posts_nothing_but_corrects_an_earlier_comment() {
    let dir = repo();
    std::fs::write(dir.path().join("notes.txt"), "not the spec\n").expect("write");
    commit(dir.path());
    let quiet = run(dir.path(), &serde_json::json!([]), true);
    assert_eq!(quiet.code, Some(0), "{}", quiet.log);
    assert_eq!(quiet.writes, "");
    assert!(quiet.log.contains("nothing posted"), "{}", quiet.log);

    let earlier = serde_json::json!([comment(
        5,
        "github-actions[bot]",
        "<!-- charter-diff -->\nold"
    )]);
    let corrected = run(dir.path(), &earlier, true);
    assert_eq!(corrected.code, Some(0), "{}", corrected.log);
    assert_eq!(
        corrected.writes,
        "PATCH repos/example-org/caas-open-webui/issues/comments/5\n"
    );
    assert!(
        corrected.posted.contains("no change"),
        "{}",
        corrected.posted
    );
}

#[test]
fn a_fork_gets_the_job_summary_only() {
    let dir = changed_repo();
    let fork = run(dir.path(), &serde_json::json!([]), false);
    assert_eq!(fork.code, Some(0), "{}", fork.log);
    assert_eq!(fork.writes, "");
    assert!(fork.log.contains("::notice"), "{}", fork.log);
    assert!(fork.summary.starts_with("<!-- charter-diff -->\n"));
}

#[test]
fn a_failing_diff_fails_the_step_and_posts_nothing() {
    let dir = repo();
    edit(
        dir.path(),
        "environments/dev.kdl",
        "extends=\"base\"",
        "extends=\"bse\"",
    );
    commit(dir.path());
    let failed = run(dir.path(), &serde_json::json!([]), true);
    assert_eq!(failed.code, Some(1), "{}", failed.log);
    assert_eq!(failed.writes, "");
    assert!(
        failed.log.contains("::error title=charter diff::"),
        "{}",
        failed.log
    );
    assert!(
        failed.log.contains("the head spec (.) does not compile"),
        "{}",
        failed.log
    );
}
