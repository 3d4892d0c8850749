//! Near misses of the alarm checks: specs one step from a finding stay clean of
//! it (the must-fire cases are fixtures under tests/fixtures/alerts/).

use charter::diag::code::Code;

use crate::support;

/// The codes the fixture `alerts/no-outage-alert` reports once its alert is
/// replaced by `alert`.
fn codes_with(alert: &str) -> Vec<Code> {
    let fixture = support::repo_root().join("tests/fixtures/alerts/no-outage-alert");
    let dir = tempfile::tempdir().expect("temp dir");
    support::copy_dir(&fixture, dir.path());
    let path = dir.path().join("charter.kdl");
    let text = std::fs::read_to_string(&path).expect("fixture");
    let start = text
        .find("alert \"api-unhealthy\"")
        .expect("the fixture's alert");
    let end = start + text[start..].find("\n}\n").expect("its end") + 3;
    let text = format!("{}{alert}{}", &text[..start], &text[end..]);
    std::fs::write(&path, text).expect("write");
    let sources = support::load(dir.path());
    support::compile(&sources)
        .findings
        .iter()
        .map(|f| f.code)
        .collect()
}

fn paging(metric: &str, severity: &str) -> String {
    format!(
        "alert \"api-down\" {{\n    metric {metric} for=\"2m\"\n    severity \"{severity}\"\n    notify \"demo-pager\"\n    runbook \"outage\"\n}}\n"
    )
}

#[test]
fn an_alert_that_sees_a_total_outage_satisfies_no_outage_alert() {
    for metric in [
        "\"healthy-hosts\" below=1",
        "\"healthy-hosts\" app=\"api\" below=2",
        "\"http-5xx-rate\" above=0.5",
    ] {
        let codes = codes_with(&paging(metric, "critical"));
        assert!(!codes.contains(&Code::NoOutageAlert), "{metric}: {codes:?}");
    }
}

#[test]
fn alerts_that_miss_a_total_outage_do_not_satisfy_it() {
    for (metric, severity) in [
        // Zero healthy hosts is not below 0.
        ("\"healthy-hosts\" below=0", "critical"),
        // A rate of 1 is not above 1.
        ("\"http-5xx-rate\" above=1", "critical"),
        // It sees the outage but pages nobody at night.
        ("\"healthy-hosts\" below=1", "warning"),
        ("\"unhealthy-hosts\" above=0", "critical"),
    ] {
        let codes = codes_with(&paging(metric, severity));
        assert!(
            codes.contains(&Code::NoOutageAlert),
            "{metric} {severity}: {codes:?}"
        );
    }
}
