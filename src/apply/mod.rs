//! Apply stage: the artifacts of one environment → the calls that make a platform
//! hold exactly them. Each applier reads artifacts the emit stage produced (never
//! the spec) and talks to the platform through a small client trait (`aws::Aws`,
//! `http::Http`), so the decisions (what to create, update, leave alone and remove)
//! are pure and tested against emulators and recording servers; `cmd/` supplies the
//! real clients (`open_webui`: groups and model grants from the access files).
//! `change` is the deploy's change-ticket gate, read the same way.

pub mod aws;
pub mod change;
pub mod essp;
pub mod http;
pub mod open_webui;

/// What one apply did, in order.
#[derive(Debug, Default, serde::Serialize)]
pub struct Report {
    pub changes: Vec<String>,
    pub unchanged: usize,
}
