//! Apply stage: the artifacts of one environment → the calls that make a platform
//! hold exactly them. Each applier reads artifacts the emit stage produced (never
//! the spec) and talks to the platform through a small client trait, so the
//! decisions (what to create, update, leave alone and remove) are pure and tested
//! against emulators; `cmd/apply.rs` supplies the real clients.

pub mod aws;
