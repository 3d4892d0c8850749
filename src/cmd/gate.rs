//! `charter gate change-ticket --env E --number CHG…`: the deploy's change-ticket
//! gate. Compiles the spec (the environment must require a change ticket), asks
//! ServiceNow's Table API about the change request over HTTP (curl) at
//! `CHARTER_SERVICENOW_URL` with basic authentication from
//! `CHARTER_SERVICENOW_USER` and `CHARTER_SERVICENOW_PASSWORD`, and prints the
//! verdict. Exit 0 when the change allows this deploy now; 1 otherwise, with every
//! reason, and also when ServiceNow cannot be asked (fails closed).

use std::process::ExitCode;

use crate::apply::change::{self, GateError};
use crate::cli::SpecArgs;
use crate::cmd::curl::{Auth, Curl};
use crate::cmd::{exit, load::load_model, write_stdout};
use crate::diag::render_human::Style;
use crate::error::Error;

pub fn run_change_ticket(
    spec: &SpecArgs,
    env: &str,
    number: &str,
    service: Option<&str>,
    style: Style,
) -> Result<ExitCode, Error> {
    let model = match load_model(spec, style)? {
        Ok(model) => model,
        Err(code) => return Ok(code),
    };
    let Some(environment) = model.environments.get(env) else {
        return Err(Error::Gate(format!(
            "environment `{env}` is not in this spec"
        )));
    };
    if !environment.deploy.change_ticket {
        return Err(Error::Gate(format!(
            "environment `{env}` does not require a change ticket (its `deploy` has no change-ticket=#true): nothing to verify"
        )));
    }
    let service = service.unwrap_or(&model.platform.name);
    let variable = |name: &str| {
        std::env::var(name).ok().filter(|v| !v.is_empty()).ok_or_else(|| {
            Error::Gate(format!(
                "{name} is not set: the gate needs CHARTER_SERVICENOW_URL, CHARTER_SERVICENOW_USER and CHARTER_SERVICENOW_PASSWORD; the deploy may not proceed"
            ))
        })
    };
    let url = variable("CHARTER_SERVICENOW_URL")?;
    let user = variable("CHARTER_SERVICENOW_USER")?;
    let password = variable("CHARTER_SERVICENOW_PASSWORD")?;
    let mut http = Curl::new(&url, Auth::Basic { user, password });
    let now = std::env::var("CHARTER_NOW")
        .ok()
        .map(|t| {
            t.parse::<jiff::Timestamp>()
                .map_err(|e| Error::Gate(format!("CHARTER_NOW `{t}` is not a timestamp: {e}")))
        })
        .transpose()?
        .unwrap_or_else(jiff::Timestamp::now);
    match change::verify(&mut http, number, service, now) {
        Ok(approved) => {
            write_stdout(&format!(
                "{}: approved for {}, {}, planned {} – {} UTC\n",
                approved.number, approved.service, approved.state, approved.start, approved.end
            ))?;
            Ok(ExitCode::from(exit::CLEAN))
        }
        Err(e @ (GateError::Refused { .. } | GateError::Unverified { .. })) => {
            Err(Error::Gate(e.to_string()))
        }
    }
}
