//! The typed tree of a `channel` node: where a notification goes.
//! Lowered by `parse::channel`; nothing in it is resolved yet.

use super::Name;
use crate::source::{Span, Spanned};

/// Where a channel delivers; the variant's kebab-case name is the property that
/// names it (`channel "ops" slack="#ops"`).
#[derive(Debug, Clone, PartialEq, Eq, strum::IntoStaticStr, strum::VariantNames)]
#[strum(serialize_all = "kebab-case")]
pub enum Destination {
    Slack(String),
    Pager(String),
    Servicenow(String),
    Email(String),
}

impl Destination {
    /// The property that names this kind of destination (`slack`).
    pub fn kind(&self) -> &'static str {
        self.into()
    }

    pub fn target(&self) -> &str {
        match self {
            Self::Slack(t) | Self::Pager(t) | Self::Servicenow(t) | Self::Email(t) => t,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Channel {
    pub name: Name,
    pub destination: Spanned<Destination>,
    pub span: Span,
}
