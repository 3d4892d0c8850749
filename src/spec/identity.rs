//! The typed tree of an `identity` node: an OIDC provider.
//! Lowered by `parse::identity`; nothing in it is resolved yet.

use super::Name;
use crate::source::{Span, Spanned};

#[derive(Debug, Clone)]
pub struct Identity {
    pub name: Name,
    pub issuer: Spanned<String>,
    pub client_id: Spanned<String>,
    pub group_claim: Option<Spanned<String>>,
    pub client_secret: Option<Name>,
    pub span: Span,
}
