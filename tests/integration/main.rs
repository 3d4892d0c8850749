//! The one integration-test binary (one link step): fixtures per check code, the
//! repo's own spec and examples, the CLI as users call it, and properties.

mod alarm_checks;
mod apply_aws;
mod apply_essp;
mod apply_open_webui;
mod architecture;
mod build;
mod cli;
mod diff;
mod diff_comment;
mod docs;
mod drift;
mod emit_apps;
mod emit_documents;
mod emit_operations;
mod emit_sql;
mod emit_workflows;
mod fixtures;
mod fmt;
mod formats;
mod gate_change;
mod graph;
mod hostile;
mod init;
mod policy;
mod properties;
mod provenance;
mod queries;
mod recording;
mod specs;
mod support;
mod synth;
