//! Diagnostics: the code registry, the findings model and its renderers (human
//! report through miette, JSON). Every other output format is rendered from the
//! same [`finding::Finding`]s.

pub mod code;
pub mod finding;
pub mod group;
pub mod render_github;
pub mod render_human;
pub mod render_json;
pub mod render_sarif;
pub mod window;
