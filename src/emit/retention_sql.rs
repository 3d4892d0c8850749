//! (being written)

use crate::emit::{Artifact, Context, EmitError};
use crate::model::Model;

pub(crate) fn emit(_model: &Model, _context: &Context) -> Result<Vec<Artifact>, EmitError> {
    Ok(Vec::new())
}
