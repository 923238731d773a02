//! Every query on `refresh_tokens` and `login_failures`. A login starts a *family*; each
//! refresh spends one token and adds its successor to the family; reuse of a spent token
//! revokes the family. Failed logins are counted by the throttle's rules
//! ([`LoginThrottle`]).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::access::throttle::LoginThrottle;
use crate::db::{DbConn, dialect};
use crate::schema::{login_failures, refresh_tokens};

/// A stored refresh token (digest only).
#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshToken {
    /// UUID.
    pub id: String,
    /// The login this token descends from.
    pub family_id: String,
    /// Owner.
    pub user_id: String,
    /// SHA-256 of the token, hex.
    pub token_hash: String,
    /// Owner's token generation at issue.
    pub token_generation: i32,
    /// Issue instant.
    pub created_at: NaiveDateTime,
    /// Expiry.
    pub expires_at: NaiveDateTime,
    /// When it was exchanged for a successor.
    pub used_at: Option<NaiveDateTime>,
    /// When its family was ended (logout, reuse, password change).
    pub revoked_at: Option<NaiveDateTime>,
}

/// Stores a new token.
pub fn insert(conn: &mut DbConn, token: &RefreshToken) -> QueryResult<()> {
    diesel::insert_into(refresh_tokens::table)
        .values(token)
        .execute(conn)
        .map(drop)
}

/// A token by digest.
pub fn find_by_digest(conn: &mut DbConn, digest: &str) -> QueryResult<Option<RefreshToken>> {
    refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(digest))
        .select(RefreshToken::as_select())
        .first(conn)
        .optional()
}

/// Spends a token if nobody spent it first; `false` means it was already used or revoked
/// (a concurrent refresh or a replay), which the caller treats as reuse.
pub fn spend(conn: &mut DbConn, id: &str, at: NaiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(
        refresh_tokens::table
            .find(id)
            .filter(refresh_tokens::used_at.is_null())
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::used_at.eq(at))
    .execute(conn)?;
    Ok(n == 1)
}

/// Revokes every token of a login.
pub fn revoke_family(conn: &mut DbConn, family_id: &str, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(at))
    .execute(conn)
}

/// `Err(seconds)` if this phone or address must wait before trying again.
pub fn login_wait(
    conn: &mut DbConn,
    throttle: &LoginThrottle,
    phone: &str,
    address: &str,
) -> QueryResult<Result<(), u64>> {
    use login_failures as f;
    let now = crate::clock::now();
    let mut longest = 0;
    for (key, limit) in throttle.keys(phone, address) {
        let times: Vec<NaiveDateTime> = f::table
            .filter(f::key.eq(key))
            .filter(f::failed_at.gt(throttle.since(now)))
            .order(f::failed_at.desc())
            .limit(i64::from(limit))
            .select(f::failed_at)
            .load(conn)?;
        longest = longest.max(throttle.wait(&times, limit, now));
    }
    Ok(if longest > 0 { Err(longest) } else { Ok(()) })
}

/// Records one failed login against the phone's and the address's keys, and forgets
/// failures older than the window.
pub fn record_login_failure(
    conn: &mut DbConn,
    throttle: &LoginThrottle,
    phone: &str,
    address: &str,
) -> QueryResult<()> {
    use login_failures as f;
    let now = crate::clock::now();
    diesel::delete(f::table.filter(f::failed_at.le(throttle.since(now)))).execute(conn)?;
    let rows: Vec<_> = throttle
        .keys(phone, address)
        .into_iter()
        .map(|(key, _)| {
            (
                f::id.eq(uuid::Uuid::now_v7().to_string()),
                f::key.eq(key),
                f::failed_at.eq(now),
            )
        })
        .collect();
    dialect::execute(conn, diesel::insert_into(f::table).values(rows)).map(|_| ())
}

/// Forgets a phone's failed logins after a successful one (the address keeps its count).
pub fn forget_login_failures(
    conn: &mut DbConn,
    throttle: &LoginThrottle,
    phone: &str,
) -> QueryResult<()> {
    use login_failures as f;
    let [(key, _), _] = throttle.keys(phone, "");
    diesel::delete(f::table.filter(f::key.eq(key)))
        .execute(conn)
        .map(|_| ())
}
