//! Session rules: a sign-in starts a login (a refresh-token family) with its audit entry; a
//! refresh spends one token for the next pair, and a spent token presented again ends the
//! whole login; a sign-out ends it; a new password ends every session of its user.

use std::time::Duration;

use diesel::Connection;
use uuid::Uuid;

use super::queries::{self, RefreshToken};
use crate::access::tokens::{self, JwtKeys};
use crate::audit::{AuditAction, ObjectKind};
use crate::db::{DbConn, DbError};
use crate::messages::{self as msg, Text};
use crate::users::UserRow;

/// Why a session could not be had; `auth::handlers` decides what each means on the wire.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The refresh token does not open a session, for the reason given.
    #[error("refresh refused: {0:?}")]
    Refused(Text),
    /// A token could not be made.
    #[error("no token: {0}")]
    Token(anyhow::Error),
    /// The database failed.
    #[error(transparent)]
    Database(#[from] DbError),
}

crate::db::domain_error!(AuthError);

/// A session's tokens and its user.
#[derive(Debug)]
pub struct Session {
    /// The short-lived JWT.
    pub access_token: String,
    /// Seconds until it expires.
    pub expires_in: u64,
    /// The single-use refresh token.
    pub refresh_token: String,
    /// Whose session it is.
    pub user: UserRow,
}

/// What issuing tokens needs of the server: the access-token keys and how long a refresh
/// token lives.
#[derive(Debug, Clone, Copy)]
pub struct Issuer<'a> {
    /// Access-token keys.
    pub jwt: &'a JwtKeys,
    /// Refresh-token lifetime.
    pub refresh_ttl: Duration,
}

/// A new refresh token of `family_id` and an access token for `user`.
fn issue_pair(
    conn: &mut DbConn,
    issuer: Issuer<'_>,
    user: UserRow,
    family_id: &str,
) -> Result<Session, AuthError> {
    let (refresh_token, digest) = tokens::random_token().map_err(AuthError::Token)?;
    let now = crate::clock::now();
    queries::insert(
        conn,
        &RefreshToken {
            id: Uuid::new_v4().to_string(),
            family_id: family_id.to_owned(),
            user_id: user.id.clone(),
            token_hash: digest,
            token_generation: user.token_generation,
            created_at: now,
            expires_at: now + issuer.refresh_ttl,
            used_at: None,
            revoked_at: None,
        },
    )?;
    let access_token = issuer
        .jwt
        .issue(&user.id, user.token_generation)
        .map_err(AuthError::Token)?;
    Ok(Session {
        access_token,
        expires_in: issuer.jwt.ttl_secs(),
        refresh_token,
        user,
    })
}

/// Signs in `user`, whose password was checked: a new login with its audit entry.
pub fn sign_in(conn: &mut DbConn, issuer: Issuer<'_>, user: UserRow) -> Result<Session, AuthError> {
    conn.transaction(|conn| {
        crate::audit::record(
            conn,
            Some(&user.id),
            AuditAction::AuthLogin,
            (ObjectKind::User, &user.id),
            user.unit_code.as_deref(),
            "signed in",
        )?;
        issue_pair(conn, issuer, user, &Uuid::new_v4().to_string())
    })
}

/// Exchanges a refresh token for the next pair of its login. A refusal that ends the
/// login (a reused token, a disabled user) is committed before it is answered.
pub fn refresh(
    conn: &mut DbConn,
    issuer: Issuer<'_>,
    refresh_token: &str,
) -> Result<Session, AuthError> {
    let now = crate::clock::now();
    let Some(token) = queries::find_by_digest(conn, &tokens::digest(refresh_token))? else {
        return Err(AuthError::Refused(msg::UNKNOWN_REFRESH_TOKEN));
    };
    if token.revoked_at.is_some() {
        return Err(AuthError::Refused(msg::LOGIN_ENDED));
    }
    if token.expires_at <= now {
        return Err(AuthError::Refused(msg::REFRESH_EXPIRED));
    }
    // Every branch writes first, so SQLite takes the write lock at the start of the
    // transaction: a concurrent refresh waits instead of failing on a stale snapshot.
    let outcome = conn.transaction::<_, AuthError, _>(|conn| {
        if !queries::spend(conn, &token.id, now)? {
            queries::revoke_family(conn, &token.family_id, now)?;
            tracing::warn!(user_id = %token.user_id, "refresh token reused; login revoked");
            return Ok(Err(msg::REFRESH_REUSED));
        }
        match crate::users::queries::find(conn, &token.user_id)? {
            Some(user) if user.active && user.token_generation == token.token_generation => {
                issue_pair(conn, issuer, user, &token.family_id).map(Ok)
            }
            _ => {
                queries::revoke_family(conn, &token.family_id, now)?;
                Ok(Err(msg::SESSION_ENDED))
            }
        }
    })?;
    outcome.map_err(AuthError::Refused)
}

/// Ends the login `refresh_token` belongs to; an unknown token ends nothing.
pub fn sign_out(conn: &mut DbConn, refresh_token: &str) -> Result<(), AuthError> {
    if let Some(token) = queries::find_by_digest(conn, &tokens::digest(refresh_token))? {
        queries::revoke_family(conn, &token.family_id, crate::clock::now())?;
    }
    Ok(())
}

/// Stores `user`'s new password hash and ends every session of theirs, with the audit
/// entry.
pub fn set_password(conn: &mut DbConn, user: &UserRow, hash: String) -> Result<(), AuthError> {
    let changes = crate::users::queries::UserChanges {
        password_hash: Some(hash),
        updated_at: Some(crate::clock::now()),
        ..Default::default()
    };
    conn.transaction(|conn| {
        crate::users::queries::update(conn, &user.id, &changes, true)?;
        crate::audit::record(
            conn,
            Some(&user.id),
            AuditAction::AuthPasswordChange,
            (ObjectKind::User, &user.id),
            user.unit_code.as_deref(),
            "changed own password; sessions ended",
        )
    })?;
    Ok(())
}
