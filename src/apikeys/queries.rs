//! Every query on `api_keys`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::ApiKeyRow;
use crate::access::roles::Scope;
use crate::db::DbConn;
use crate::schema::{api_keys, units};

/// Stores a key.
pub fn insert(conn: &mut DbConn, row: &ApiKeyRow) -> QueryResult<()> {
    diesel::insert_into(api_keys::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// A live (not revoked) key by digest.
pub fn find_live(conn: &mut DbConn, digest: &str) -> QueryResult<Option<ApiKeyRow>> {
    api_keys::table
        .filter(api_keys::key_hash.eq(digest))
        .filter(api_keys::revoked_at.is_null())
        .select(ApiKeyRow::as_select())
        .first(conn)
        .optional()
}

/// One key by id.
pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<ApiKeyRow>> {
    api_keys::table
        .find(id)
        .select(ApiKeyRow::as_select())
        .first(conn)
        .optional()
}

/// Records use, at most once a minute per key (a write per dashboard request would cost an
/// fsync each on SQLite).
pub fn touch(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> QueryResult<()> {
    let stale = now - chrono::TimeDelta::minutes(1);
    diesel::update(
        api_keys::table.find(id).filter(
            api_keys::last_used_at
                .is_null()
                .or(api_keys::last_used_at.lt(stale)),
        ),
    )
    .set(api_keys::last_used_at.eq(now))
    .execute(conn)
    .map(drop)
}

/// Revokes a key (idempotent).
pub fn revoke(conn: &mut DbConn, id: &str, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(
        api_keys::table
            .find(id)
            .filter(api_keys::revoked_at.is_null()),
    )
    .set(api_keys::revoked_at.eq(at))
    .execute(conn)
    .map(drop)
}

/// Keys of units in a scope, newest first after the keyset.
pub fn list(
    conn: &mut DbConn,
    scope: &Scope,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> QueryResult<Vec<ApiKeyRow>> {
    let mut query = api_keys::table.select(ApiKeyRow::as_select()).into_boxed();
    match scope {
        Scope::National => {}
        Scope::Province(p) => {
            query = query.filter(
                api_keys::unit_code
                    .eq(p.clone())
                    .or(api_keys::unit_code.eq_any(
                        units::table
                            .select(units::code)
                            .filter(units::parent_code.eq(p.clone())),
                    )),
            )
        }
        Scope::Commune(c) => query = query.filter(api_keys::unit_code.eq(c.clone())),
    }
    if let Some((at, id)) = after {
        query = query.filter(
            api_keys::created_at
                .lt(at)
                .or(api_keys::created_at.eq(at).and(api_keys::id.lt(id))),
        );
    }
    query
        .order((api_keys::created_at.desc(), api_keys::id.desc()))
        .limit(limit)
        .load(conn)
}
