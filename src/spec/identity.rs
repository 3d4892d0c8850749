//! The typed tree of an `identity` node: an OIDC provider.
//! Lowered by `parse::identity`; nothing in it is resolved yet.

use super::{Duration, Name};
use crate::source::{Span, Spanned};

#[derive(Debug, Clone)]
pub struct Identity {
    pub name: Name,
    pub issuer: Spanned<String>,
    pub client_id: Spanned<String>,
    pub group_claim: Option<Spanned<String>>,
    pub client_secret: Option<Name>,
    /// How long a signed-in session lasts (`session=`): Open WebUI's `JWT_EXPIRES_IN`.
    pub session: Option<Spanned<Duration>>,
    /// The secret holding the Open WebUI admin API key the access job applies
    /// `access/` with (`admin-key=`).
    pub admin_key: Option<Name>,
    pub span: Span,
}
