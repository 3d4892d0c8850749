//! The deploy's change-ticket gate: a change request number → one read of
//! ServiceNow's Table API (`GET /api/now/table/change_request`, by `number`, with
//! `sysparm_display_value=all` so each field carries its stored `value` and its
//! `display_value`) → approved, or every reason it is not. The change must be
//! approved (`approval` = `approved`), scheduled or being implemented (`state` -2
//! or -1), planned around now (`start_date` ≤ now < `end_date`, stored in UTC) and
//! for this service (`business_service`, by display name). Fails closed: a
//! server that cannot be reached, refuses the credentials or answers anything else
//! is a refusal too.

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use serde_json::Value;

use crate::apply::http::{Http, HttpError, excerpt};

/// The fields the gate reads.
pub const FIELDS: &[&str] = &[
    "number",
    "approval",
    "state",
    "start_date",
    "end_date",
    "business_service",
];

/// States a change may be deployed in: Scheduled (-2) and Implement (-1).
const DEPLOYABLE_STATES: &[&str] = &["-2", "-1"];

/// An approved change request, as the run's summary records it.
#[derive(Debug)]
pub struct Approved {
    pub number: String,
    pub service: String,
    pub state: String,
    pub start: String,
    pub end: String,
}

#[derive(Debug, thiserror::Error)]
pub enum GateError {
    /// The change request does not allow this deploy; every reason is listed.
    #[error("change request {number} does not allow this deploy: {}", reasons.join("; "))]
    Refused {
        number: String,
        reasons: Vec<String>,
    },
    /// ServiceNow could not be asked or gave an answer the gate cannot read.
    #[error(
        "cannot verify change request {number} (the deploy stops; the gate fails closed): {cause}"
    )]
    Unverified { number: String, cause: String },
}

/// Whether `number` names a change request: `CHG` and digits (the query is built
/// from it, so nothing else may pass).
pub fn is_change_number(number: &str) -> bool {
    number
        .strip_prefix("CHG")
        .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
}

/// The Table API request for `number`.
pub fn request_path(number: &str) -> String {
    format!(
        "/api/now/table/change_request?sysparm_query=number%3D{number}&sysparm_fields={}&sysparm_display_value=all&sysparm_exclude_reference_link=true&sysparm_limit=2",
        FIELDS.join("%2C")
    )
}

/// Asks ServiceNow about `number` and decides.
pub fn verify(
    http: &mut dyn Http,
    number: &str,
    service: &str,
    now: Timestamp,
) -> Result<Approved, GateError> {
    let unverified = |cause: String| GateError::Unverified {
        number: number.to_string(),
        cause,
    };
    if !is_change_number(number) {
        return Err(GateError::Refused {
            number: number.to_string(),
            reasons: vec!["it is not a change request number (CHG followed by digits)".to_string()],
        });
    }
    let path = request_path(number);
    let response = http
        .send("GET", &path, None)
        .map_err(|e| unverified(e.to_string()))?;
    match response.status {
        200 => {}
        401 | 403 => {
            return Err(unverified(format!(
                "ServiceNow refused the credentials ({}): {}",
                response.status,
                excerpt(&response.body)
            )));
        }
        status => {
            return Err(unverified(format!(
                "ServiceNow answered {status}: {}",
                excerpt(&response.body)
            )));
        }
    }
    let answer = response
        .json("GET", &path)
        .map_err(|e: HttpError| unverified(e.to_string()))?;
    let Some(records) = answer["result"].as_array() else {
        return Err(unverified(format!(
            "the answer has no `result` list: {}",
            excerpt(&response.body)
        )));
    };
    let record = match records.as_slice() {
        [record] => record,
        [] => {
            return Err(GateError::Refused {
                number: number.to_string(),
                reasons: vec!["ServiceNow has no change request with this number".to_string()],
            });
        }
        _ => {
            return Err(unverified(
                "ServiceNow has more than one change request with this number".to_string(),
            ));
        }
    };
    decide(record, number, service, now)
}

/// The decision on one record (every field `{value, display_value}`).
fn decide(
    record: &Value,
    number: &str,
    service: &str,
    now: Timestamp,
) -> Result<Approved, GateError> {
    let value = |field: &str| record[field]["value"].as_str().unwrap_or_default();
    let shown = |field: &str| {
        record[field]["display_value"]
            .as_str()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| value(field))
    };
    let mut reasons = Vec::new();
    if value("approval") != "approved" {
        reasons.push(format!(
            "it is not approved (approval: {})",
            or_empty(shown("approval"))
        ));
    }
    if !DEPLOYABLE_STATES.contains(&value("state")) {
        reasons.push(format!(
            "it is in state {}, not Scheduled or Implement",
            or_empty(shown("state"))
        ));
    }
    match (utc(value("start_date")), utc(value("end_date"))) {
        (Some(start), Some(end)) => {
            if now < start || now >= end {
                reasons.push(format!(
                    "now ({}) is outside its planned window {} – {} UTC",
                    now.strftime("%Y-%m-%d %H:%M:%S UTC"),
                    value("start_date"),
                    value("end_date")
                ));
            }
        }
        _ => reasons.push(format!(
            "it has no readable planned window (start_date `{}`, end_date `{}`)",
            value("start_date"),
            value("end_date")
        )),
    }
    if shown("business_service") != service {
        reasons.push(format!(
            "it is for service {}, not {service}",
            or_empty(shown("business_service"))
        ));
    }
    if !reasons.is_empty() {
        return Err(GateError::Refused {
            number: number.to_string(),
            reasons,
        });
    }
    Ok(Approved {
        number: number.to_string(),
        service: service.to_string(),
        state: shown("state").to_string(),
        start: value("start_date").to_string(),
        end: value("end_date").to_string(),
    })
}

/// A stored ServiceNow date-time (`2026-12-03 16:00:00`, UTC).
fn utc(text: &str) -> Option<Timestamp> {
    DateTime::strptime("%Y-%m-%d %H:%M:%S", text)
        .ok()?
        .to_zoned(TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp())
}

fn or_empty(text: &str) -> &str {
    if text.is_empty() { "(empty)" } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(approval: &str, state: &str, start: &str, end: &str, service: &str) -> Value {
        json!({
            "number": {"value": "CHG1", "display_value": "CHG1"},
            "approval": {"value": approval, "display_value": approval},
            "state": {"value": state, "display_value": state},
            "start_date": {"value": start, "display_value": start},
            "end_date": {"value": end, "display_value": end},
            "business_service": {"value": "0123", "display_value": service},
        })
    }

    #[test]
    fn the_window_is_half_open_in_utc() {
        let now: Timestamp = "2026-12-03T16:00:00Z".parse().unwrap();
        let ok = record(
            "approved",
            "-1",
            "2026-12-03 16:00:00",
            "2026-12-03 17:00:00",
            "s",
        );
        assert!(decide(&ok, "CHG1", "s", now).is_ok());
        let ended = record(
            "approved",
            "-1",
            "2026-12-03 15:00:00",
            "2026-12-03 16:00:00",
            "s",
        );
        assert!(decide(&ended, "CHG1", "s", now).is_err());
    }

    #[test]
    fn every_reason_is_listed() {
        let now: Timestamp = "2026-12-03T16:00:00Z".parse().unwrap();
        let bad = record("requested", "-5", "", "", "other");
        let Err(GateError::Refused { reasons, .. }) = decide(&bad, "CHG1", "s", now) else {
            panic!("refused");
        };
        assert_eq!(reasons.len(), 4, "{reasons:?}");
    }

    #[test]
    fn only_change_numbers_reach_the_query() {
        assert!(is_change_number("CHG0012345"));
        for bad in ["CHG", "chg1", "CHG1^ORnumber=CHG2", "INC1", "CHG1 "] {
            assert!(!is_change_number(bad), "{bad}");
        }
    }
}
