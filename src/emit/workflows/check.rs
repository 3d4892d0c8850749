//! `charter.yml`: the spec repository's own check, on every pull request and push to
//! the main branch: install the charter release that generated the files, validate
//! the spec (annotations and code scanning), check that `generated/` is current, and
//! check that the workflows GitHub runs are the generated ones.

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
    job.permissions.insert("security-events", "write");
    job.steps.push(super::checkout());
    job.steps.push(install_step());
    job.steps.push(Step::run(
        "Validate the spec (annotations)",
        "charter validate --format github\n",
    ));
    let mut sarif = Step::run(
        "Validate the spec (SARIF for code scanning)",
        "charter validate --format sarif > charter.sarif\n",
    );
    sarif.condition = Some("${{ !cancelled() && steps.install.outcome == 'success' }}");
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

fn install_step() -> Step {
    let mut step = Step::run(
        format!("Install charter {VERSION}"),
        format!("cargo install --locked --git {REPOSITORY} --tag v{VERSION} charter\n"),
    );
    step.id = Some("install");
    step
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

/// The place for the review comment with `charter diff --format markdown` (a later
/// change): no steps until that command exists.
fn diff_comment_steps() -> Vec<Step> {
    Vec::new()
}
