//! `charter gate change-ticket` against a fake ServiceNow Table API: an approved
//! change inside its window for this service passes; unapproved, outside the
//! window, for another service, unknown, refused credentials and an unreachable
//! server all stop the deploy (exit 1) with the reason.

use serde_json::{Value, json};

use crate::recording::{self, Recorder};
use crate::support;

const NOW: &str = "2026-12-03T17:30:00Z";

fn change(approval: &str, state: (&str, &str), window: (&str, &str), service: &str) -> Value {
    json!({"result": [{
        "number": {"display_value": "CHG0012345", "value": "CHG0012345"},
        "approval": {"display_value": approval, "value": approval.to_lowercase()},
        "state": {"display_value": state.1, "value": state.0},
        "start_date": {"display_value": "local", "value": window.0},
        "end_date": {"display_value": "local", "value": window.1},
        "business_service": {"display_value": service, "value": "8d3c6e1f1b0a1010a1b2c3d4e5f60718"},
    }]})
}

fn servicenow(status: u16, answer: &Value) -> Recorder {
    let body = answer.to_string();
    Recorder::start(move |_| (status, body.clone()))
}

fn gate(url: &str, env: &str) -> (i32, String, String) {
    let out = support::charter_bin()
        .args([
            "gate",
            "change-ticket",
            "--env",
            env,
            "--number",
            "CHG0012345",
        ])
        .env("CHARTER_SERVICENOW_URL", url)
        .env("CHARTER_SERVICENOW_USER", "svc-deploy")
        .env("CHARTER_SERVICENOW_PASSWORD", "s3cret")
        .env("CHARTER_NOW", NOW)
        .output()
        .expect("run charter");
    (
        out.status.code().expect("exit code"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        recording::one_line(&String::from_utf8_lossy(&out.stderr)),
    )
}

const WINDOW: (&str, &str) = ("2026-12-03 16:00:00", "2026-12-03 23:00:00");

#[test]
fn an_approved_change_in_its_window_for_this_service_passes() {
    let server = servicenow(
        200,
        &change("Approved", ("-1", "Implement"), WINDOW, "caas-open-webui"),
    );
    let (code, stdout, stderr) = gate(&server.url, "prod");
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(
        stdout,
        "CHG0012345: approved for caas-open-webui, Implement, planned 2026-12-03 16:00:00 – 2026-12-03 23:00:00 UTC\n"
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "GET");
    assert_eq!(
        requests[0].path,
        "/api/now/table/change_request?sysparm_query=number%3DCHG0012345&sysparm_fields=number%2Capproval%2Cstate%2Cstart_date%2Cend_date%2Cbusiness_service&sysparm_display_value=all&sysparm_exclude_reference_link=true&sysparm_limit=2"
    );
    assert_eq!(
        requests[0].header("authorization"),
        Some("Basic c3ZjLWRlcGxveTpzM2NyZXQ=")
    );
}

#[test]
fn the_gate_refuses_with_every_reason() {
    let cases = [
        (
            change("Requested", ("-3", "Authorize"), WINDOW, "caas-open-webui"),
            vec![
                "it is not approved (approval: Requested)",
                "it is in state Authorize, not Scheduled or Implement",
            ],
        ),
        (
            change(
                "Approved",
                ("-2", "Scheduled"),
                ("2026-12-04 16:00:00", "2026-12-04 23:00:00"),
                "caas-open-webui",
            ),
            vec!["now (2026-12-03 17:30:00 UTC) is outside its planned window 2026-12-04 16:00:00"],
        ),
        (
            change("Approved", ("-2", "Scheduled"), WINDOW, "payroll"),
            vec!["it is for service payroll, not caas-open-webui"],
        ),
        (
            json!({"result": []}),
            vec!["ServiceNow has no change request with this number"],
        ),
    ];
    for (answer, reasons) in cases {
        let server = servicenow(200, &answer);
        let (code, stdout, stderr) = gate(&server.url, "prod");
        assert_eq!(code, 1, "{stdout}{stderr}");
        assert!(
            stderr.contains("change request CHG0012345 does not allow this deploy"),
            "{stderr}"
        );
        for reason in reasons {
            assert!(stderr.contains(reason), "{reason} not in {stderr}");
        }
    }
}

#[test]
fn the_gate_fails_closed() {
    let (code, _, stderr) = gate(&recording::unreachable_url(), "prod");
    assert_eq!(code, 1);
    assert!(
        stderr.contains("cannot verify change request CHG0012345"),
        "{stderr}"
    );

    let server = servicenow(
        401,
        &json!({"error": {"message": "User Not Authenticated"}}),
    );
    let (code, _, stderr) = gate(&server.url, "prod");
    assert_eq!(code, 1);
    assert!(
        stderr.contains("ServiceNow refused the credentials (401)"),
        "{stderr}"
    );

    let server = servicenow(500, &json!({"error": "boom"}));
    let (code, _, stderr) = gate(&server.url, "prod");
    assert_eq!(code, 1);
    assert!(stderr.contains("ServiceNow answered 500"), "{stderr}");
}

#[test]
fn the_gate_is_only_for_environments_that_require_a_ticket() {
    let server = servicenow(200, &json!({"result": []}));
    let (code, _, stderr) = gate(&server.url, "staging");
    assert_eq!(code, 1);
    assert!(
        stderr.contains("does not require a change ticket"),
        "{stderr}"
    );
    assert!(server.requests().is_empty());
}
