//! `charter.yml`: the spec repository's own check, on every pull request and push to
//! the main branch: install the charter release that generated the files, validate
//! the spec (annotations and code scanning), check that `generated/` is current, and
//! check that the workflows GitHub runs are the generated ones; on a pull request,
//! post what the change means (`charter diff`) as one comment, updated in place.

use std::collections::BTreeMap;

use super::{
    Concurrency, Defaults, Job, Jobs, MAIN_BRANCH, Permissions, Push, Step, Triggers, Workflow,
};
use crate::emit::{Artifact, EmitError};
use crate::model::Model;

/// The charter release the workflow installs: the one that generated it, so
/// `charter check` compares like with like.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Where charter's releases are tagged `v<version>`.
pub const REPOSITORY: &str = env!("CARGO_PKG_REPOSITORY");

pub(super) fn emit(model: &Model) -> Result<Artifact, EmitError> {
    let mut job = Job::new("Validate and check the spec", 30);
    job.permissions.insert("actions", "read");
    job.permissions.insert("contents", "read");
    job.permissions.insert("pull-requests", "write");
    job.permissions.insert("security-events", "write");
    job.steps.push(super::checkout().with("fetch-depth", 2));
    job.steps.extend(super::install_charter());
    job.steps.push(Step::run(
        "Validate the spec (annotations)",
        "charter validate --format github\n",
    ));
    let mut sarif = Step::run(
        "Validate the spec (SARIF for code scanning)",
        "charter validate --format sarif > charter.sarif\n",
    );
    sarif.condition = Some("${{ !cancelled() && steps.install.outcome != 'failure' }}");
    job.steps.push(sarif);
    let mut upload = Step::uses("Upload the findings to code scanning", super::UPLOAD_SARIF)
        .with("sarif_file", "charter.sarif")
        .with("category", "charter");
    upload.condition = Some("${{ !cancelled() && hashFiles('charter.sarif') != '' }}");
    job.steps.push(upload);
    job.steps.push(Step::run(
        "Check that generated/ is up to date",
        "charter check\n",
    ));
    job.steps.push(installed_workflows_step());
    job.steps.extend(diff_comment_steps());

    let workflow = Workflow {
        name: "charter".to_string(),
        on: Triggers {
            push: Some(Push {
                branches: vec![MAIN_BRANCH.to_string()],
                paths: Vec::new(),
            }),
            pull_request: Some(BTreeMap::new()),
            ..Triggers::default()
        },
        permissions: Permissions::new(),
        concurrency: Concurrency {
            group: "charter-${{ github.ref }}".to_string(),
            cancel_in_progress: true,
        },
        defaults: Defaults::default(),
        jobs: Jobs(vec![("charter".to_string(), job)]),
    };
    let comments = vec![
        format!(
            "The check of the spec repository{}: validate, code scanning, freshness of generated/.",
            model
                .platform
                .repo
                .as_deref()
                .map_or(String::new(), |repo| format!(" {repo}"))
        ),
        "It runs from the repository root, where the spec (charter.kdl) and generated/ are.".to_string(),
        format!("Installs charter {VERSION}, the release that generated these files."),
        "GitHub runs workflows only from .github/workflows/: copy generated/github/workflows/*.yml there.".to_string(),
    ];
    super::artifact(format!("{}/charter.yml", super::DIR), &comments, &workflow)
        .map(|a| a.from_nodes([model.platform.id()]))
}

/// Fails when a workflow under `.github/workflows/` differs from its generated copy,
/// or is missing: GitHub runs only those, so a stale copy would deploy by old rules.
fn installed_workflows_step() -> Step {
    let script = format!(
        r#"stale=0
for generated in generated/{dir}/*.yml; do
  installed=".github/workflows/${{generated##*/}}"
  if ! cmp -s "$generated" "$installed"; then
    echo "::error file=$installed,title=Stale workflow::$installed is not a copy of $generated: copy generated/{dir}/*.yml into .github/workflows/"
    stale=1
  fi
done
exit "$stale"
"#,
        dir = super::DIR
    );
    Step::run(
        "Check that .github/workflows/ has the generated workflows",
        script,
    )
}

/// The first line of the review comment `charter diff --format markdown` writes: the
/// step finds its one comment by it (a test holds it equal to the renderer's marker).
const DIFF_MARKER: &str = "<!-- charter-diff -->";

/// On a pull request: `charter diff --format markdown` against the first parent of
/// the merge commit GitHub checks out (the base branch as the pull request would be
/// merged into it; `fetch-depth: 2` brings it), written to the job summary and posted
/// as one comment, found by its marker among the bot's comments and edited in place
/// on every push. A pull request from a fork gets a read-only token: the diff is only
/// in the job summary there, and the log says so. A diff that fails (exit 1, say a
/// base that does not compile) fails the step.
fn diff_comment_steps() -> Vec<Step> {
    let script = format!(
        r#"report="$RUNNER_TEMP/charter-diff.md"
base=$(git rev-parse --short HEAD^1)
status=0
charter diff --base "$base" --format markdown > "$report" || status=$?
if [ "$status" -ne 0 ] && [ "$status" -ne 2 ]; then
  echo "::error title=charter diff::charter diff against $base failed (exit $status): see the log above"
  exit "$status"
fi
cat "$report" >> "$GITHUB_STEP_SUMMARY"
if [ "$SAME_REPOSITORY" != "true" ]; then
  echo "::notice title=charter diff::a pull request from a fork cannot be commented on with this token: the diff is in the job summary"
  exit 0
fi
comments="repos/$GITHUB_REPOSITORY/issues/$PULL_REQUEST/comments"
ids=$(gh api --paginate "$comments?per_page=100" --jq '.[] | select(.user.login == "github-actions[bot]" and (.body | startswith("{DIFF_MARKER}"))) | .id')
id=${{ids%%$'\n'*}}
if [ -n "$id" ]; then
  gh api --method PATCH "repos/$GITHUB_REPOSITORY/issues/comments/$id" -F "body=@$report" > /dev/null
  echo "updated the charter diff comment $id"
elif [ "$status" -eq 2 ]; then
  gh api --method POST "$comments" -F "body=@$report" > /dev/null
  echo "posted the charter diff comment"
else
  echo "no change against $base and no earlier comment: nothing posted"
fi
"#
    );
    let mut step = Step::run("Review the change (charter diff comment)", script)
        .env("GH_TOKEN", "${{ github.token }}")
        .env("PULL_REQUEST", "${{ github.event.pull_request.number }}")
        .env(
            "SAME_REPOSITORY",
            "${{ github.event.pull_request.head.repo.full_name == github.repository }}",
        );
    step.condition = Some("${{ github.event_name == 'pull_request' }}");
    vec![step]
}
