//! The typed tree of an `app` node: image, port, health check, needs, plain
//! environment variables and Pipelines filters.
//! Lowered by `parse::app`; nothing in it is resolved yet.

use super::{AppKind, Duration, Name};
use crate::source::{Span, Spanned};

#[derive(Debug, Clone)]
pub struct App {
    pub name: Name,
    pub span: Span,
    pub kind: Spanned<AppKind>,
    pub image: Option<Image>,
    pub port: Option<Spanned<u16>>,
    pub health: Option<Health>,
    pub needs: Vec<Name>,
    pub env: Vec<EnvVar>,
    pub filters: Vec<Filter>,
}

#[derive(Debug, Clone)]
pub struct Image {
    pub repository: Spanned<String>,
    pub tag: Spanned<String>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Health {
    pub path: Spanned<String>,
    pub interval: Option<Spanned<Duration>>,
    pub timeout: Option<Spanned<Duration>>,
    pub unhealthy_after: Option<Spanned<u32>>,
    pub span: Span,
}

/// A plain (non-secret) environment variable.
#[derive(Debug, Clone)]
pub struct EnvVar {
    pub key: Spanned<String>,
    pub value: Spanned<String>,
    /// Only on environments: the app it is for (all apps when absent).
    pub app: Option<Name>,
    pub span: Span,
}

/// A Pipelines filter installed at start.
#[derive(Debug, Clone)]
pub struct Filter {
    pub name: Name,
    pub source: Spanned<String>,
    pub models: Spanned<String>,
    pub priority: Spanned<i64>,
    pub span: Span,
}
