//! The typed tree of a `platform` node: the one platform a spec describes and its owner.
//! Lowered by `parse::platform`; nothing in it is resolved yet.

use super::Name;
use crate::source::{Span, Spanned};

#[derive(Debug, Clone)]
pub struct Platform {
    pub name: Name,
    pub span: Span,
    pub description: Option<Spanned<String>>,
    pub owner: Option<Owner>,
    pub repo: Option<Spanned<String>>,
    pub deploy_command: Option<Spanned<String>>,
}

#[derive(Debug, Clone)]
pub struct Owner {
    pub team: Spanned<String>,
    pub chat: Option<Spanned<String>>,
    pub email: Option<Spanned<String>>,
    pub span: Span,
}
