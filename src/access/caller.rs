//! The caller of a request, as every domain sees it once the HTTP edge has resolved the
//! credential (`auth::http`).

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

/// What a session needs to know of its user between two reads of the user's row: kept for
/// a moment by `AppState::sessions`, so a caller checked just now is not read again.
#[derive(Debug, Clone)]
pub struct Account {
    /// User id.
    pub id: String,
    /// Normalised phone.
    pub phone: String,
    /// Current role.
    pub role: Role,
    /// Home unit (`None` for admins).
    pub unit_code: Option<String>,
    /// `false` once disabled.
    pub active: bool,
    /// Bumped to end every session.
    pub token_generation: i32,
}
