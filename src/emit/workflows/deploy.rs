//! `deploy-<env>.yml`: deploys every app of one environment with its generated Katana
//! configs, behind the environment's gates (change ticket, deploy window, approvals),
//! with AWS credentials from OIDC. The image-tag inputs make the same workflow a
//! rollback.

use std::collections::BTreeMap;

use super::{
    Concurrency, Defaults, Dispatch, Input, Job, Jobs, MAIN_BRANCH, Permissions, Push, Step,
    Triggers, Workflow,
};
use crate::emit::{Artifact, EmitError};
use crate::id::{NodeId, NodeKind};
use crate::model::{App, AppKind, Environment, Model, SecretStore, Window};

/// The command when neither the environment nor the platform gives one.
pub const DEFAULT_COMMAND: &str = "katana deploy --config {config}";

/// What a change ticket must look like: a ServiceNow change request number.
pub const CHANGE_TICKET_PATTERN: &str = "^CHG[0-9]+$";

pub(super) fn emit(model: &Model, environment: &Environment) -> Result<Artifact, EmitError> {
    let name = &environment.name;
    let path = format!("{}/deploy-{name}.yml", super::DIR);
    let apps: Vec<&App> = model.apps.values().collect();
    let deploy = &environment.deploy;

    let workflow = Workflow {
        name: format!("deploy {name}"),
        on: triggers(environment, &apps),
        permissions: Permissions::new(),
        concurrency: Concurrency {
            group: format!("deploy-{name}"),
            cancel_in_progress: false,
        },
        defaults: Defaults::default(),
        jobs: jobs(model, environment, &apps),
    };

    let mut comments = vec![
        format!(
            "Deploys environment `{name}` (tier {}{}) with the generated Katana configs.",
            environment.tier.as_str(),
            environment
                .sdm
                .as_ref()
                .map_or(String::new(), |sdm| format!(", SDM twin of `{}`", sdm.of)),
        ),
        if dispatch_only(environment) {
            "Runs only when dispatched (Actions > this workflow > Run workflow).".to_string()
        } else {
            format!(
                "Runs on every push to {MAIN_BRANCH} that changes these configs, and when dispatched."
            )
        },
        "To roll back, dispatch it with an earlier image tag.".to_string(),
        String::new(),
    ];
    if deploy.approvals == 0 {
        comments.push(format!(
            "GitHub environment `{name}`: the spec requires no approval."
        ));
    } else {
        comments.push(format!(
            "GitHub environment `{name}`: {} by distinct reviewers, not the one who started the run.",
            approvals(deploy.approvals)
        ));
        comments.push(format!(
            "Give it at least {} required reviewers: each gated job waits for one, then counts them.",
            deploy.approvals
        ));
    }
    comments.push(format!(
        "AWS: role {} trusts GitHub's OIDC provider for sub `{}`.",
        super::role_arn(model, environment, "deploy"),
        super::subject(model, &format!("environment:{name}")),
    ));
    comments.push(format!(
        "After the rollout it applies everything else charter generates for `{name}` (charter apply: alarms, topics, S3 lifecycle{}{}).",
        if has_indices(environment) { ", ESSP templates and policies first" } else { "" },
        if apply_open_webui_step(model, environment, &apps).is_some() { ", Open WebUI groups and model grants with the admin key read from the store" } else { "" },
    ));
    let mut secrets = Vec::new();
    if deploy.change_ticket {
        secrets
            .push("CHARTER_SERVICENOW_URL, CHARTER_SERVICENOW_USER, CHARTER_SERVICENOW_PASSWORD");
    }
    if has_indices(environment) {
        secrets.push("CHARTER_ESSP_URL, CHARTER_ESSP_API_KEY");
    }
    if !secrets.is_empty() {
        comments.push(format!(
            "Secrets of GitHub environment `{name}`: {}.",
            secrets.join("; ")
        ));
    }
    super::artifact(path, &comments, &workflow).map(|a| {
        let mut nodes = vec![
            NodeId::new(NodeKind::Environment, name),
            model.platform.id(),
        ];
        nodes.extend(apps.iter().map(|app| app.id()));
        if apply_open_webui_step(model, environment, &apps).is_some() {
            // The Open WebUI apply reads the admin key the identity names.
            let identity = model.identity.as_ref();
            nodes.extend(identity.map(crate::model::Identity::id));
            nodes.extend(
                identity
                    .and_then(|i| i.admin_key.as_deref())
                    .and_then(|name| environment.secrets.get(name))
                    .map(|secret| secret.declared.clone()),
            );
        }
        if environment.sdm.is_some() {
            nodes.push(NodeId::singleton(NodeKind::Sdm));
        }
        a.from_nodes(nodes)
    })
}

/// Production, and any environment that needs a change ticket, deploys only when a
/// person dispatches it (a push carries no ticket).
fn dispatch_only(environment: &Environment) -> bool {
    environment.is_production() || environment.deploy.change_ticket
}

/// The generated Katana config of an app in an environment, from the repository root.
pub fn config_path(environment: &str, app: &str) -> String {
    format!("generated/katana/{environment}/{app}.yaml")
}

/// The dispatch input that overrides an app's image tag.
pub fn tag_input(app: &str) -> String {
    format!("image-tag-{app}")
}

fn triggers(environment: &Environment, apps: &[&App]) -> Triggers {
    let mut inputs = BTreeMap::new();
    if environment.deploy.change_ticket {
        inputs.insert(
            "change-ticket".to_string(),
            Input {
                description: "Approved change request (CHG followed by digits)".to_string(),
                required: true,
                kind: "string",
                default: None,
            },
        );
    }
    for app in apps {
        if let Some(image) = &app.image {
            inputs.insert(
                tag_input(&app.name),
                Input {
                    description: format!(
                        "Image tag of {} (the spec's tag; an earlier one rolls back)",
                        app.name
                    ),
                    required: true,
                    kind: "string",
                    default: Some(image.tag.clone()),
                },
            );
        }
    }
    Triggers {
        push: (!dispatch_only(environment)).then(|| Push {
            branches: vec![MAIN_BRANCH.to_string()],
            paths: apps
                .iter()
                .map(|app| config_path(&environment.name, &app.name))
                .collect(),
        }),
        workflow_dispatch: Some(Dispatch { inputs }),
        ..Triggers::default()
    }
}

fn jobs(model: &Model, environment: &Environment, apps: &[&App]) -> Jobs {
    let name = &environment.name;
    let deploy = &environment.deploy;
    let window = deploy.window.as_ref();
    let mut jobs = Vec::new();
    let mut previous: Option<String> = None;

    // Checks that need no approval run first, so reviewers see only valid requests.
    if deploy.change_ticket || window.is_some() {
        let mut job = Job::new("Preflight", 5);
        if deploy.change_ticket {
            job.steps.push(change_ticket_step());
        }
        if let Some(window) = window {
            job.steps.push(window_step(name, window));
        }
        jobs.push(("preflight".to_string(), job));
        previous = Some("preflight".to_string());
    }

    // GitHub lets one reviewer release a job that waits on an environment, so N
    // approvals are N jobs on the environment, each checking the count so far.
    for k in 1..deploy.approvals {
        let id = format!("approval-{k}");
        let mut job = Job::new(format!("Approval {k} of {}", deploy.approvals), 5);
        job.needs.extend(previous.take());
        job.environment = Some(name.clone());
        job.permissions.insert("actions", "read");
        job.steps.push(approvals_step(name, k));
        jobs.push((id.clone(), job));
        previous = Some(id);
    }

    let mut job = Job::new(format!("Deploy to {name}"), 60);
    job.needs.extend(previous);
    job.environment = Some(name.clone());
    job.permissions.insert("contents", "read");
    job.permissions.insert("id-token", "write");
    job.env.insert(
        "REQUIRED_APPROVALS".to_string(),
        deploy.approvals.to_string(),
    );
    if deploy.approvals > 0 {
        job.permissions.insert("actions", "read");
        job.steps.push(approvals_step(name, deploy.approvals));
    }
    if let Some(window) = window {
        job.steps.push(window_step(name, window));
    }
    job.steps.push(super::checkout());
    job.steps.extend(super::install_charter());
    if deploy.change_ticket {
        job.steps.push(gate_step(name));
    }
    job.steps
        .push(super::assume_role(model, environment, "deploy"));
    // Index templates and lifecycle policies exist before the apps write logs.
    if has_indices(environment) {
        job.steps.push(apply_essp_step(name));
    }
    let command = deploy.command.as_deref().unwrap_or(DEFAULT_COMMAND);
    for app in apps {
        job.steps.push(deploy_step(environment, app, command));
    }
    if environment.primary_region().is_some() {
        job.steps.push(apply_step(
            "Apply alarms, topics and S3 lifecycle",
            &format!("charter apply aws --env {name}"),
        ));
    }
    if let Some(step) = apply_open_webui_step(model, environment, apps) {
        job.steps.push(step);
    }
    jobs.push(("deploy".to_string(), job));
    Jobs(jobs)
}

/// Whether the environment has index templates and lifecycle policies of its own
/// (a twin sharing its base's storage has none).
fn has_indices(environment: &Environment) -> bool {
    !environment.logging.indices.is_empty() && !environment.shares_base_storage()
}

/// A `charter apply` step: exit 0 (nothing to change) and 2 (changed) both pass.
fn apply_step(name: &str, command: &str) -> Step {
    Step::run(name, format!("{command} || test $? -eq 2\n"))
}

/// Asks ServiceNow whether the change request allows this deploy now, right before
/// it (approvals may take days: the preflight check of the number is not enough).
fn gate_step(environment: &str) -> Step {
    Step::run(
        "Verify the change request in ServiceNow",
        format!("charter gate change-ticket --env {environment} --number \"$CHANGE_TICKET\"\n"),
    )
    .env("CHANGE_TICKET", "${{ inputs.change-ticket }}")
    .env(
        "CHARTER_SERVICENOW_URL",
        "${{ secrets.CHARTER_SERVICENOW_URL }}",
    )
    .env(
        "CHARTER_SERVICENOW_USER",
        "${{ secrets.CHARTER_SERVICENOW_USER }}",
    )
    .env(
        "CHARTER_SERVICENOW_PASSWORD",
        "${{ secrets.CHARTER_SERVICENOW_PASSWORD }}",
    )
}

fn apply_essp_step(environment: &str) -> Step {
    apply_step(
        "Apply ESSP index templates and lifecycle policies",
        &format!("charter apply essp --env {environment}"),
    )
    .env("CHARTER_ESSP_URL", "${{ secrets.CHARTER_ESSP_URL }}")
    .env(
        "CHARTER_ESSP_API_KEY",
        "${{ secrets.CHARTER_ESSP_API_KEY }}",
    )
}

/// Applies the Open WebUI groups and model grants with the admin key the spec names
/// (`identity admin-key=`), read from its store with the deploy role and masked.
fn apply_open_webui_step(model: &Model, environment: &Environment, apps: &[&App]) -> Option<Step> {
    if !apps.iter().any(|a| a.kind.0 == AppKind::OpenWebui) {
        return None;
    }
    let secret = model
        .identity
        .as_ref()
        .and_then(|i| i.admin_key.as_deref())
        .and_then(|name| environment.secrets.get(name))?;
    let read = match secret.store {
        SecretStore::Ssm => {
            "aws ssm get-parameter --with-decryption --name \"$ADMIN_KEY_PATH\" --query Parameter.Value --output text"
        }
        SecretStore::SecretsManager => {
            "aws secretsmanager get-secret-value --secret-id \"$ADMIN_KEY_PATH\" --query SecretString --output text"
        }
    };
    let name = &environment.name;
    Some(
        Step::run(
            "Apply Open WebUI groups and model grants",
            format!(
                "key=$({read})\necho \"::add-mask::$key\"\nCHARTER_OPENWEBUI_API_KEY=$key charter apply open-webui --env {name} || test $? -eq 2\n"
            ),
        )
        .env("ADMIN_KEY_PATH", super::literal(&secret.path)),
    )
}

fn change_ticket_step() -> Step {
    let script = format!(
        r#"if [[ ! $CHANGE_TICKET =~ {CHANGE_TICKET_PATTERN} ]]; then
  echo "::error title=Change ticket::the change-ticket input is not a change request number (CHG followed by digits)"
  exit 1
fi
echo "Change ticket: $CHANGE_TICKET" >> "$GITHUB_STEP_SUMMARY"
"#
    );
    Step::run("Check the change ticket", script).env("CHANGE_TICKET", "${{ inputs.change-ticket }}")
}

/// Fails unless `needed` people other than the one who started the run have approved
/// it on this environment (GitHub's review history of the run).
fn approvals_step(environment: &str, needed: u32) -> Step {
    let script = r#"approvers=$(gh api "repos/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID/approvals" |
  jq -r --arg env "$DEPLOY_ENVIRONMENT" --arg actor "$GITHUB_TRIGGERING_ACTOR" \
    '[.[] | select(.state == "approved" and any(.environments[]; .name == $env)) | .user.login | select(. != $actor)] | unique | .[]')
count=$(grep -c . <<< "$approvers" || true)
echo "Approved by: ${approvers//$'\n'/, }" >> "$GITHUB_STEP_SUMMARY"
if (( count < APPROVALS_NEEDED )); then
  echo "::error title=Approvals::$count of $APPROVALS_NEEDED approvals by distinct reviewers (not the one who started the run)"
  exit 1
fi
"#;
    Step::run(format!("Require {}", approvals(needed)), script)
        .env("APPROVALS_NEEDED", needed.to_string())
        .env("DEPLOY_ENVIRONMENT", environment)
        .env("GH_TOKEN", "${{ github.token }}")
}

fn approvals(count: u32) -> String {
    if count == 1 {
        "1 approval".to_string()
    } else {
        format!("{count} approvals")
    }
}

/// Fails outside the deploy window: the same days and minutes, in the same zone, as
/// [`Window::contains`] (a test runs this script against it).
fn window_step(environment: &str, window: &Window) -> Step {
    let zone = window.zone();
    let (first, last) = (window.first_day(), window.last_day());
    let outside_days = if first <= last {
        format!("day < {first} || day > {last}")
    } else {
        format!("day < {first} && day > {last}")
    };
    let script = format!(
        r#"# {text}: ISO weekdays {first}-{last}, minutes {start}-{end} of the day.
if [[ ! -f /usr/share/zoneinfo/{zone} ]]; then
  echo "::error title=Deploy window::time zone {zone} is not installed on the runner"
  exit 1
fi
read -r day hour minute <<< "$(TZ={zone} date '+%u %H %M')"
now=$((10#$hour * 60 + 10#$minute))
if (( {outside_days} || now < {start} || now >= {end} )); then
  echo "::error title=Deploy window::{environment} deploys only {text} (now: $(TZ={zone} date '+%a %H:%M %Z'))"
  exit 1
fi
"#,
        text = window.text(),
        start = window.start_minute(),
        end = window.end_minute(),
    );
    Step::run("Check the deploy window", script)
}

/// Deploys one app. With an image, the tag (the input, else the spec's) is checked,
/// written into the generated config when it differs from the spec's (so the config
/// deployed names the image deployed, whatever the command does with `IMAGE_TAG`), and
/// recorded in the run summary.
fn deploy_step(environment: &Environment, app: &App, command: &str) -> Step {
    let config = config_path(&environment.name, &app.name);
    let deploy = super::literal(&command.replace("{config}", &config));
    let mut step = Step::run(format!("Deploy {}", app.name), String::new());
    let Some(image) = &app.image else {
        step.run = Some(format!("{deploy}\n"));
        return step;
    };
    step = step
        .env("IMAGE_REPOSITORY", super::literal(&image.repository))
        .env(
            "IMAGE_TAG",
            format!(
                "${{{{ inputs.{} || '{}' }}}}",
                tag_input(&app.name),
                image.tag.replace('\'', "''")
            ),
        );
    let name = &app.name;
    let spec_tag = shell_quote(&super::literal(&image.tag));
    step.run = Some(format!(
        r#"if [[ ! $IMAGE_TAG =~ {IMAGE_TAG_PATTERN} ]]; then
  echo "::error title=Image tag::the image tag of {name} is not a valid tag"
  exit 1
fi
if [[ $IMAGE_TAG != {spec_tag} ]]; then
  yq -i '.image.tag = strenv(IMAGE_TAG)' {config}
fi
{deploy}
echo "- {name}: \`$IMAGE_REPOSITORY:$IMAGE_TAG\`" >> "$GITHUB_STEP_SUMMARY"
"#
    ));
    step
}

/// What an image tag may be (the OCI distribution grammar).
pub const IMAGE_TAG_PATTERN: &str = "^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$";

/// A word for bash: single-quoted unless it is plainly safe.
fn shell_quote(text: &str) -> String {
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-/:@".contains(c))
    {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;
    use std::process::Command;

    use jiff::Timestamp;
    use jiff::civil::{Date, Time};
    use jiff::tz::TimeZone;

    use super::*;

    /// Runs the generated gate at each instant (a `date` that answers for that
    /// instant stands in for the clock) and returns which instants it let through.
    fn gate_admits(window: &Window, instants: &[Timestamp]) -> Vec<bool> {
        let script = window_step("prod", window).run.expect("a script");
        let mut all = String::from(r#"date() { command date -d "@$NOW" "$@"; }"#);
        all.push('\n');
        for instant in instants {
            let now = instant.as_second();
            let _ = writeln!(
                all,
                "NOW={now}; if ( {script} ) >/dev/null; then echo in; else echo out; fi"
            );
        }
        let out = Command::new("bash")
            .arg("-c")
            .arg(&all)
            .output()
            .expect("bash runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .expect("utf-8")
            .lines()
            .map(|l| l == "in")
            .collect()
    }

    /// Every weekday of the week starting `monday`, at both edges of the window's
    /// hours (the minute before, the first, the last and the minute after).
    fn edges(window: &Window, monday: Date) -> Vec<Timestamp> {
        let zone = TimeZone::get(window.zone()).expect("zone");
        let mut out = Vec::new();
        for offset in 0..7 {
            let day = monday + jiff::Span::new().days(offset);
            for minute in [
                window.start_minute().saturating_sub(1),
                window.start_minute(),
                window.end_minute() - 1,
                window.end_minute().min(24 * 60 - 1),
            ] {
                let (h, m) = (minute / 60, minute % 60);
                let time = Time::new(
                    i8::try_from(h).expect("hour"),
                    i8::try_from(m).expect("minute"),
                    0,
                    0,
                )
                .expect("time");
                let local = day.to_datetime(time).to_zoned(zone.clone()).expect("local");
                out.push(local.timestamp());
            }
        }
        out
    }

    #[test]
    fn the_workflow_gate_enforces_exactly_the_window_the_check_accepts() {
        let windows = [
            "Tue-Thu 09:00-16:00 America/Phoenix",
            "Fri-Mon 10:00-12:00 Europe/Berlin",
            "Sun 00:00-24:00 Etc/UTC",
            "Mon-Sun 01:30-03:30 Europe/Berlin",
            "Sat-Sun 02:00-03:00 America/New_York",
        ];
        // Ordinary weeks, and the weeks of Berlin's and New York's DST changes
        // (2026-03-29 and 2026-10-25; 2026-03-08 and 2026-11-01).
        let weeks = [
            Date::constant(2026, 6, 1),
            Date::constant(2026, 3, 23),
            Date::constant(2026, 10, 19),
            Date::constant(2026, 3, 2),
            Date::constant(2026, 10, 26),
        ];
        for text in windows {
            let window = Window::parse(text).expect("the check accepts it");
            let instants: Vec<Timestamp> = weeks.iter().flat_map(|w| edges(&window, *w)).collect();
            let gate = gate_admits(&window, &instants);
            for (instant, admitted) in instants.iter().zip(gate) {
                assert_eq!(
                    admitted,
                    window.contains(*instant),
                    "{text} at {instant} ({})",
                    instant.to_zoned(TimeZone::get(window.zone()).expect("zone"))
                );
            }
        }
    }

    #[test]
    fn wrapping_days_are_outside_between_last_and_first() {
        let w = Window::parse("Fri-Mon 10:00-12:00 Europe/Berlin").expect("valid");
        let script = window_step("prod", &w).run.expect("script");
        assert!(script.contains("day < 5 && day > 1"), "{script}");
    }
}
