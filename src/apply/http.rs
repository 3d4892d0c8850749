//! The HTTP seam of the apply stage: one request in, the status and body out.
//! The appliers (`essp`, `change`) decide what to send from the answers; the
//! command layer supplies the real client (curl) and the tests a recording server.

use serde_json::Value;

/// One HTTP request to a base URL the client knows; `path` starts with `/` and
/// carries the query string.
pub trait Http {
    fn send(
        &mut self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Response, HttpError>;
}

/// What the server answered.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub body: String,
}

impl Response {
    /// The body as JSON, or an error naming the request.
    pub fn json(&self, method: &str, path: &str) -> Result<Value, HttpError> {
        serde_json::from_str(&self.body).map_err(|e| {
            HttpError::Answer(format!(
                "{method} {path} answered {} with a body that is not JSON ({e}): {}",
                self.status,
                excerpt(&self.body)
            ))
        })
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The server could not be reached or did not answer in time.
    #[error("{0}")]
    Transport(String),
    /// The server answered something the applier cannot use (an error status, a
    /// body that is not what the API returns).
    #[error("{0}")]
    Answer(String),
    /// An artifact is not what the emit stage writes.
    #[error("{0}")]
    Artifact(String),
}

/// An error for an answer with an unexpected status.
pub fn unexpected(method: &str, path: &str, response: &Response) -> HttpError {
    HttpError::Answer(format!(
        "{method} {path} answered {}: {}",
        response.status,
        excerpt(&response.body)
    ))
}

/// The first 300 characters of a body, on one line.
pub fn excerpt(body: &str) -> String {
    let line: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(300) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None if line.is_empty() => "(empty body)".to_string(),
        None => line,
    }
}
