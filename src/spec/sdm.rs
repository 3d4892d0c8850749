//! The typed tree of an `sdm` node: which environments get a sensitive-data twin, and how.
//! Lowered by `parse::sdm`; nothing in it is resolved yet.

use super::{AuditLevel, Name, SdmStorage, Share};
use crate::source::{Span, Spanned};

#[derive(Debug, Clone)]
pub struct Sdm {
    pub environments: Vec<Name>,
    pub groups: Vec<Name>,
    pub storage: Option<Spanned<SdmStorage>>,
    pub audit: Option<Spanned<AuditLevel>>,
    pub share: Option<Share>,
    pub moderation: Option<Name>,
    pub span: Span,
}
