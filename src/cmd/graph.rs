//! `charter graph`: the spec's entities and their edges as Graphviz DOT or a Mermaid
//! flowchart, on stdout.

use std::process::ExitCode;

use crate::cli::{GraphFormat, SpecArgs};
use crate::cmd::model::load_model;
use crate::cmd::{exit, write_stdout};
use crate::error::Error;
use crate::graph::{SpecGraph, to_dot, to_mermaid};

pub fn run(spec: &SpecArgs, format: GraphFormat) -> Result<ExitCode, Error> {
    let model = match load_model(spec)? {
        Ok(model) => model,
        Err(code) => return Ok(code),
    };
    let graph = SpecGraph::build(&model);
    let text = match format {
        GraphFormat::Dot => to_dot(&graph),
        GraphFormat::Mermaid => to_mermaid(&graph),
    };
    write_stdout(&text)?;
    Ok(ExitCode::from(exit::CLEAN))
}
