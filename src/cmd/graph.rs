//! `charter graph`: the spec's entities and their edges as Graphviz DOT or a Mermaid
//! flowchart, on stdout.

use std::process::ExitCode;

use crate::cli::{GraphFormat, SpecArgs};
use crate::cmd::{exit, load::load_model, write_stdout};
use crate::diag::render_human::Style;
use crate::error::Error;
use crate::graph::{SpecGraph, to_dot, to_mermaid};

pub fn run(spec: &SpecArgs, format: GraphFormat, style: Style) -> Result<ExitCode, Error> {
    let model = match load_model(spec, style)? {
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
