//! Who may see which user, and what a unit code names: the rules every domain that deals
//! with users calls (users, teams), kept apart from the handlers.

use super::model::UserRow;
use crate::access::AuthUser;
use crate::db::DbConn;
use crate::units::UnitKind;
use diesel::QueryResult;

/// Kind of a unit, with its parent, if it exists.
pub fn unit_of(
    conn: &mut DbConn,
    code: &str,
) -> QueryResult<Option<(UnitKind, Option<String>, bool)>> {
    Ok(crate::units::queries::find(conn, code)?.map(|u| (u.kind, u.parent_code, u.active)))
}

/// Whether a user's unit lies in the caller's scope (admins, without a unit, only in the
/// national scope).
pub fn user_in_scope(conn: &mut DbConn, caller: &AuthUser, user: &UserRow) -> QueryResult<bool> {
    match &user.unit_code {
        Some(code) => Ok(crate::units::in_scope(conn, &caller.scope, code)?),
        None => Ok(caller.scope == crate::access::Scope::National),
    }
}
