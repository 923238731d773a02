//! The caller of a request, as every domain sees it once the HTTP edge has resolved the
//! credential (`auth::session`).

use super::roles::{Role, Scope};

/// The caller of a request, read from the database or from `AppState::sessions`.
#[derive(Debug, Clone)]
pub struct AuthUser {
    /// User id.
    pub id: String,
    /// Normalised phone (the key of failed-attempt throttling).
    pub phone: String,
    /// Current role.
    pub role: Role,
    /// Home unit (`None` for admins).
    pub unit_code: Option<String>,
    /// What the caller may see.
    pub scope: Scope,
}

/// A caller of a read-only endpoint: a signed-in user, or a dashboard key (read like a
/// supervisor of the key's unit). Only units, statistics and campaign reads take it.
#[derive(Debug, Clone)]
pub struct Reader(pub AuthUser);
