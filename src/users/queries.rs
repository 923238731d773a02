//! Every query on `users`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::UserRow;
use crate::access::roles::{Role, Scope};
use crate::db::DbConn;
use crate::schema::{refresh_tokens, units, users};

/// One user by id.
pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

/// One user by normalised phone.
pub fn find_by_phone(conn: &mut DbConn, phone: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::phone.eq(phone))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

/// Inserts a user; a duplicate phone surfaces as a unique violation.
pub fn insert(conn: &mut DbConn, user: &UserRow) -> QueryResult<()> {
    diesel::insert_into(users::table)
        .values(user)
        .execute(conn)
        .map(drop)
}

/// Filters of `GET /api/v1/users`.
#[derive(Debug, Default)]
pub struct UserFilter {
    /// Users of this unit or any unit under it.
    pub unit: Option<String>,
    /// Only this role.
    pub role: Option<Role>,
    /// Folded search text.
    pub q: Option<String>,
}

/// Users in `scope` matching `filter`, newest first, after the keyset `(created_at, id)`.
pub fn list(
    conn: &mut DbConn,
    scope: &Scope,
    filter: &UserFilter,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> QueryResult<Vec<UserRow>> {
    let mut query = users::table.select(UserRow::as_select()).into_boxed();
    let subtree = |code: String| {
        units::table
            .select(units::code.nullable())
            .filter(units::code.eq(code.clone()).or(units::parent_code.eq(code)))
    };
    match scope {
        Scope::National => {}
        Scope::Province(p) => query = query.filter(users::unit_code.eq_any(subtree(p.clone()))),
        Scope::Commune(c) => query = query.filter(users::unit_code.eq(c.clone())),
    }
    if let Some(unit) = &filter.unit {
        query = query.filter(users::unit_code.eq_any(subtree(unit.clone())));
    }
    if let Some(role) = filter.role {
        query = query.filter(users::role.eq(role));
    }
    if let Some(q) = &filter.q {
        query = query.filter(
            users::search_text
                .like(crate::text::like_contains(q))
                .escape('\\'),
        );
    }
    if let Some((at, id)) = after {
        query = query.filter(
            users::created_at
                .lt(at)
                .or(users::created_at.eq(at).and(users::id.lt(id))),
        );
    }
    query
        .order((users::created_at.desc(), users::id.desc()))
        .limit(limit)
        .load(conn)
}

/// Changes to a user; `None` leaves a column alone.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    /// New name.
    pub full_name: Option<String>,
    /// New search text (always set with the name).
    pub search_text: Option<String>,
    /// New role.
    pub role: Option<Role>,
    /// New active flag.
    pub active: Option<bool>,
    /// New password hash.
    pub password_hash: Option<String>,
    /// Change instant.
    pub updated_at: Option<NaiveDateTime>,
}

/// Applies changes; when `end_sessions`, also bumps the token generation and revokes every
/// refresh token, so access and refresh tokens of the user stop working at once.
pub fn update(
    conn: &mut DbConn,
    id: &str,
    changes: &UserChanges,
    end_sessions: bool,
) -> QueryResult<()> {
    conn.transaction(|conn| {
        diesel::update(users::table.find(id))
            .set(changes)
            .execute(conn)?;
        if end_sessions {
            diesel::update(users::table.find(id))
                .set(users::token_generation.eq(users::token_generation + 1))
                .execute(conn)?;
            diesel::update(
                refresh_tokens::table
                    .filter(refresh_tokens::user_id.eq(id))
                    .filter(refresh_tokens::revoked_at.is_null()),
            )
            .set(refresh_tokens::revoked_at.eq(crate::clock::now()))
            .execute(conn)?;
        }
        Ok(())
    })
}

/// How many users exist (none means the first admin must be created).
pub fn count(conn: &mut DbConn) -> QueryResult<i64> {
    users::table.count().get_result(conn)
}
