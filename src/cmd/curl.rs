//! The real [`Http`] client of the apply commands: one `curl` process per request
//! (`curl` on `PATH`, or `CHARTER_CURL`). Its options, the credential among them,
//! go in on stdin as a curl config (`--config -`), never on the command line where
//! other users of the runner could read them. 10-second connect and 30-second
//! total timeouts.

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::apply::http::{Http, HttpError, Response};

const CONNECT_TIMEOUT_SECONDS: u32 = 10;
const MAX_TIME_SECONDS: u32 = 30;

/// How a request proves who sends it.
pub enum Auth {
    /// An `Authorization` header value (`ApiKey …`).
    Header(String),
    /// HTTP basic authentication.
    Basic { user: String, password: String },
}

pub struct Curl {
    program: String,
    base: String,
    auth: Auth,
}

impl Curl {
    /// A client of `base` (scheme, host and optional path prefix; a trailing `/`
    /// is dropped).
    pub fn new(base: &str, auth: Auth) -> Self {
        Curl {
            program: std::env::var("CHARTER_CURL").unwrap_or_else(|_| "curl".to_string()),
            base: base.trim_end_matches('/').to_string(),
            auth,
        }
    }
}

/// A curl config string: double-quoted, `\` and `"` escaped, no line breaks.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl Http for Curl {
    fn send(
        &mut self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Response, HttpError> {
        let url = format!("{}{path}", self.base);
        let mut config = format!(
            "url = {}\nrequest = {}\nsilent\nshow-error\nconnect-timeout = {CONNECT_TIMEOUT_SECONDS}\nmax-time = {MAX_TIME_SECONDS}\nheader = \"Accept: application/json\"\nwrite-out = \"\\n%{{http_code}}\"\n",
            quoted(&url),
            quoted(method)
        );
        match &self.auth {
            Auth::Header(value) => {
                let _ = writeln!(
                    config,
                    "header = {}",
                    quoted(&format!("Authorization: {value}"))
                );
            }
            Auth::Basic { user, password } => {
                let _ = writeln!(config, "user = {}", quoted(&format!("{user}:{password}")));
            }
        }
        if let Some(body) = body {
            config.push_str("header = \"Content-Type: application/json\"\n");
            let _ = writeln!(config, "data-binary = {}", quoted(&body.to_string()));
        }
        let mut child = Command::new(&self.program)
            .args(["-q", "--config", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                HttpError::Transport(format!(
                    "cannot run `{}`: {e} (install curl or set CHARTER_CURL)",
                    self.program
                ))
            })?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(config.as_bytes())
                .map_err(|e| HttpError::Transport(format!("cannot talk to curl: {e}")))?;
        }
        let output = child
            .wait_with_output()
            .map_err(|e| HttpError::Transport(format!("curl did not finish: {e}")))?;
        if !output.status.success() {
            return Err(HttpError::Transport(format!(
                "{method} {url}: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            )));
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        let (body, status) = stdout.rsplit_once('\n').unwrap_or(("", &stdout));
        let status = status.trim().parse::<u16>().map_err(|_| {
            HttpError::Transport(format!("{method} {url}: curl gave no HTTP status"))
        })?;
        Ok(Response {
            status,
            body: body.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::quoted;

    #[test]
    fn config_strings_keep_quotes_and_backslashes() {
        assert_eq!(quoted(r#"{"a":"b\"c"}"#), r#""{\"a\":\"b\\\"c\"}""#);
        assert_eq!(quoted("x\ny"), r#""x\ny""#);
    }
}
