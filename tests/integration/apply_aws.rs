//! `charter apply aws` against moto's server (scripts/with-moto.sh): the emulated
//! account ends up holding exactly the alarms, topics and lifecycle rules of the
//! repo's prod spec; a second apply changes nothing; an alert dropped from the spec
//! is removed on the next apply, and what charter did not make is left alone.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::support;

/// moto's endpoint; the tests fail (not skip) without it.
fn endpoint() -> String {
    std::env::var("CHARTER_TEST_AWS_ENDPOINT").unwrap_or_else(|_| {
        panic!("CHARTER_TEST_AWS_ENDPOINT is not set: run the tests through scripts/with-moto.sh (scripts/test.sh does)")
    })
}

/// Credentials of a fresh IAM user in `account` of the emulator.
fn credentials(account: &str) -> (String, String) {
    let out = Command::new(support::validator(".venv/bin/python", "python"))
        .arg(support::repo_root().join("tests/validators/moto_account.py"))
        .args([endpoint().as_str(), account])
        .output()
        .expect("run moto_account.py");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let mut words = text.split_whitespace();
    (
        words.next().expect("key").to_string(),
        words.next().expect("secret").to_string(),
    )
}

struct Account {
    key: String,
    secret: String,
}

impl Account {
    fn env(&self, command: &mut Command) {
        command
            .env("AWS_ENDPOINT_URL", endpoint())
            .env("AWS_ACCESS_KEY_ID", &self.key)
            .env("AWS_SECRET_ACCESS_KEY", &self.secret)
            .env("AWS_DEFAULT_REGION", "us-west-2")
            .env(
                "CHARTER_AWS_CLI",
                support::validator(".venv/bin/aws", "the AWS CLI"),
            );
    }

    fn aws(&self, args: &[&str]) -> Value {
        let mut command = Command::new(support::validator(".venv/bin/aws", "the AWS CLI"));
        self.env(&mut command);
        let out = command
            .args(args)
            .args(["--output", "json"])
            .output()
            .expect("aws");
        assert!(
            out.status.success(),
            "aws {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
    }

    /// `charter apply aws --env prod` on `spec`: exit code and stdout.
    fn apply(&self, spec: &Path) -> (i32, String) {
        let mut command = support::charter_bin();
        for (key, value) in [
            ("AWS_ENDPOINT_URL", endpoint()),
            ("AWS_ACCESS_KEY_ID", self.key.clone()),
            ("AWS_SECRET_ACCESS_KEY", self.secret.clone()),
            ("AWS_DEFAULT_REGION", "us-west-2".to_string()),
        ] {
            command.env(key, value);
        }
        command.env(
            "CHARTER_AWS_CLI",
            support::validator(".venv/bin/aws", "the AWS CLI"),
        );
        let out = command
            .args(["apply", "aws", "--env", "prod", "--spec"])
            .arg(spec)
            .output()
            .expect("charter");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    }

    fn alarm_names(&self) -> BTreeSet<String> {
        let found = self.aws(&[
            "cloudwatch",
            "describe-alarms",
            "--alarm-name-prefix",
            "caas-open-webui-prod-",
        ]);
        found["MetricAlarms"]
            .as_array()
            .expect("alarms")
            .iter()
            .map(|a| a["AlarmName"].as_str().expect("name").to_string())
            .collect()
    }
}

fn names(file: &Value, list: &str, key: &str) -> BTreeSet<String> {
    file[list]
        .as_array()
        .expect("list")
        .iter()
        .map(|a| a[key].as_str().expect("name").to_string())
        .collect()
}

#[test]
fn the_prod_spec_applies_exactly_idempotently_and_removes_what_it_dropped() {
    let (key, secret) = credentials("333333333333");
    let account = Account { key, secret };
    account.aws(&[
        "s3api",
        "create-bucket",
        "--bucket",
        "caas-open-webui-prod-files",
        "--create-bucket-configuration",
        "LocationConstraint=us-west-2",
    ]);
    // Not charter's: an alarm under the prefix without charter's tag, and a rule.
    account.aws(&[
        "cloudwatch",
        "put-metric-alarm",
        "--alarm-name",
        "caas-open-webui-prod-hand-made",
        "--namespace",
        "AWS/EC2",
        "--metric-name",
        "CPUUtilization",
        "--statistic",
        "Average",
        "--period",
        "60",
        "--evaluation-periods",
        "1",
        "--threshold",
        "90",
        "--comparison-operator",
        "GreaterThanThreshold",
    ]);
    let spec = tempfile::tempdir().expect("temp dir");
    let root = support::repo_root();
    std::fs::copy(root.join("charter.kdl"), spec.path().join("charter.kdl")).expect("copy");
    for dir in ["environments", "policies"] {
        support::copy_dir(&root.join(dir), &spec.path().join(dir));
    }
    let built = support::emitted(spec.path()).1;
    let alerts: Value =
        serde_json::from_str(&built.get("alerts/prod.json").expect("alerts").contents)
            .expect("json");

    let (code, first) = account.apply(spec.path());
    assert_eq!(code, 2, "changes: {first}");
    let mut expected = names(&alerts, "alarms", "AlarmName");
    expected.insert("caas-open-webui-prod-hand-made".to_string());
    assert_eq!(account.alarm_names(), expected);
    let topics: BTreeSet<String> = account.aws(&["sns", "list-topics"])["Topics"]
        .as_array()
        .expect("topics")
        .iter()
        .map(|t| {
            t["TopicArn"]
                .as_str()
                .expect("arn")
                .rsplit(':')
                .next()
                .expect("name")
                .to_string()
        })
        .collect();
    assert_eq!(topics, names(&alerts, "topics", "name"));
    let rules = account.aws(&[
        "s3api",
        "get-bucket-lifecycle-configuration",
        "--bucket",
        "caas-open-webui-prod-files",
    ]);
    let lifecycle: Value = serde_json::from_str(
        &built
            .get("storage/prod/s3-lifecycle.json")
            .expect("lifecycle")
            .contents,
    )
    .expect("json");
    assert_eq!(
        names(&rules, "Rules", "ID"),
        names(&lifecycle["LifecycleConfiguration"], "Rules", "ID")
    );

    let (code, second) = account.apply(spec.path());
    assert_eq!(code, 0, "a second apply changes nothing: {second}");
    assert!(second.starts_with("prod: 0 changed"), "{second}");

    // Drop an alert: its alarm goes, the hand-made one stays.
    let policy = spec.path().join("policies/alerts.kdl");
    let text = std::fs::read_to_string(&policy).expect("alerts.kdl");
    let start = text.find("alert \"webui-cpu\"").expect("webui-cpu");
    let end = start + text[start..].find("\n}\n").expect("its end") + 3;
    std::fs::write(&policy, format!("{}{}", &text[..start], &text[end..])).expect("write");
    let (code, third) = account.apply(spec.path());
    assert_eq!(code, 2, "{third}");
    assert!(
        third.contains("deleted alarm caas-open-webui-prod-webui-cpu\n"),
        "{third}"
    );
    expected.remove("caas-open-webui-prod-webui-cpu");
    assert_eq!(account.alarm_names(), expected);
}

#[test]
fn credentials_of_another_account_change_nothing() {
    let (key, secret) = credentials("999999999999");
    let account = Account { key, secret };
    let (code, out) = account.apply(&support::repo_root());
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("the credentials are for account 999999999999"),
        "{out}"
    );
    assert!(account.alarm_names().is_empty());
}
