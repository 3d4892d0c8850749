//! The typed tree of the `logging` node: the app, audit and access log streams.
//! Lowered by `parse::logging`; nothing in it is resolved yet.

use super::{AuditLevel, LogLevel};
use crate::source::{Span, Spanned};

#[derive(Debug, Clone)]
pub struct LogStream {
    pub level: Option<Spanned<LogLevel>>,
    pub index: Spanned<String>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct AuditStream {
    pub level: Spanned<AuditLevel>,
    pub index: Spanned<String>,
    /// Bytes of each request and response body the audit entry keeps (`max-body=`):
    /// Open WebUI's `MAX_BODY_LOG_SIZE`.
    pub max_body: Option<Spanned<u32>>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Logging {
    pub app: Option<LogStream>,
    pub audit: Option<AuditStream>,
    pub access: Option<LogStream>,
    pub span: Span,
}
