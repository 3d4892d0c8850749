//! The typed tree of a `group` node: directory group, role, models, features and sharing.
//! Lowered by `parse::group`; nothing in it is resolved yet.

use super::{Name, Role, ShareLevel};
use crate::source::{Span, Spanned};

#[derive(Debug, Clone)]
pub struct Share {
    /// (object, level), object one of [`SHARE_OBJECTS`], in that order.
    pub levels: Vec<(&'static str, Spanned<ShareLevel>)>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Group {
    pub name: Name,
    pub span: Span,
    pub directory: Option<Spanned<String>>,
    pub inherits: Option<Name>,
    pub role: Option<Spanned<Role>>,
    pub models: Vec<Spanned<String>>,
    pub features: Vec<Spanned<String>>,
    pub share: Option<Share>,
}
