//! The spec's own policy over time: one waiver judged on different days, lint
//! levels raising and lowering checks, and the command-line switches.

use charter::diag::finding::Severity;
use charter::{Options, Outcome};

use crate::support;

/// The `waiver/expiring` fixture: a waiver of `retention/long-conversations` for
/// `dev` that holds until 2026-12-10 (inclusive).
fn waiver_spec() -> charter::source::Sources {
    support::load(&support::repo_root().join("tests/fixtures/waiver/expiring"))
}

fn on(day: &str, tweak: impl Fn(&mut Options)) -> Outcome {
    let mut options = Options::on(day.parse().expect("a date"));
    tweak(&mut options);
    charter::compile(&waiver_spec(), &options)
}

fn codes(outcome: &Outcome) -> Vec<(&'static str, Severity)> {
    outcome
        .findings
        .iter()
        .map(|f| (f.code.name(), f.severity))
        .collect()
}

#[test]
fn a_live_waiver_accepts_its_finding_and_records_it() {
    let outcome = on("2026-10-01", |_| {});
    assert_eq!(codes(&outcome), vec![]);
    assert_eq!(outcome.waived.len(), 1);
    assert_eq!(
        outcome.waived[0].finding.code.name(),
        "retention/long-conversations"
    );
    assert_eq!(outcome.waived[0].ticket, "CHG0012345");
    assert!(outcome.model.is_some());
}

#[test]
fn a_waiver_warns_within_the_expiry_notice_and_holds_on_its_last_day() {
    let soon = on("2026-11-25", |_| {});
    assert_eq!(codes(&soon), vec![("waiver/expiring", Severity::Warning)]);
    assert!(
        soon.findings[0].message.contains("in 15 days"),
        "{}",
        soon.findings[0].message
    );
    let last_day = on("2026-12-10", |_| {});
    assert_eq!(
        codes(&last_day),
        vec![("waiver/expiring", Severity::Warning)]
    );
    assert!(last_day.findings[0].message.contains("today"));
    assert_eq!(last_day.waived.len(), 1, "the expiry day is inclusive");
    let short_notice = on("2026-11-25", |o| o.warn_expiry_days = 7);
    assert_eq!(codes(&short_notice), vec![]);
}

#[test]
fn the_day_after_expiry_the_waiver_is_an_error_and_its_finding_returns() {
    let outcome = on("2026-12-11", |_| {});
    let found = codes(&outcome);
    assert!(
        found.contains(&("waiver/expired", Severity::Error)),
        "{found:?}"
    );
    assert!(
        found.contains(&("retention/long-conversations", Severity::Warning)),
        "{found:?}"
    );
    let expired = outcome
        .findings
        .iter()
        .find(|f| f.code.name() == "waiver/expired")
        .expect("expired");
    assert!(
        expired
            .related
            .iter()
            .any(|l| l.text.starts_with("no longer covered")),
        "points at the finding it no longer covers"
    );
    assert!(outcome.waived.is_empty());
    assert!(outcome.model.is_none());
}

#[test]
fn no_waivers_shows_everything_for_an_audit() {
    let outcome = on("2026-10-01", |o| o.no_waivers = true);
    assert_eq!(
        codes(&outcome),
        vec![("retention/long-conversations", Severity::Warning)]
    );
    assert!(outcome.waived.is_empty());
}

#[test]
fn lint_levels_raise_lower_and_silence_checks() {
    let base = std::fs::read_to_string(
        support::repo_root().join("tests/fixtures/waiver/expiring/charter.kdl"),
    )
    .expect("read");
    let base = base[..base.find("\nwaiver ").expect("a waiver")].to_string();
    let with = |lint: &str| {
        let mut sources = charter::source::Sources::new();
        sources.add("charter.kdl", format!("{base}\n{lint}\n"));
        charter::compile(&sources, &Options::on(support::today()))
    };
    assert_eq!(
        codes(&with("")),
        vec![("retention/long-conversations", Severity::Warning)]
    );
    assert_eq!(
        codes(&with(r#"lint "retention/long-conversations" level="deny""#)),
        vec![("retention/long-conversations", Severity::Error)]
    );
    assert_eq!(
        codes(&with(
            r#"lint "retention/long-conversations" level="allow""#
        )),
        vec![]
    );
    let lowered = with(
        "lint \"retention/long-conversations\" level=\"warn\"\nlint \"apps/default-secret-key\" level=\"warn\"",
    );
    assert_eq!(
        codes(&lowered),
        vec![("retention/long-conversations", Severity::Warning)]
    );
}

#[test]
fn deny_warnings_on_the_command_line_fails_a_spec_with_warnings() {
    let spec = support::repo_root().join("tests/fixtures/waiver/expiring");
    let spec = spec.display().to_string();
    let run = |extra: &[&str]| {
        let mut args = vec!["validate", "--today", "2026-11-25", "--spec", spec.as_str()];
        args.extend(extra);
        support::charter_bin().args(&args).output().expect("runs")
    };
    assert_eq!(run(&[]).status.code(), Some(0), "warnings alone pass");
    let denied = run(&["--deny-warnings"]);
    assert_eq!(denied.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&denied.stdout).contains("1 error"));
    assert_eq!(run(&["--warn-expiry", "5"]).status.code(), Some(0));
    let audit = run(&["--no-waivers", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&audit.stdout).expect("json");
    assert_eq!(report["summary"]["waived"], 0);
    assert_eq!(
        report["findings"][0]["code"],
        "retention/long-conversations"
    );
}
