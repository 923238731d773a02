//! Administrative units: the 2025 two-tier map (provinces and communes) that scopes every
//! user, team and record.

pub mod handlers;
pub mod import;
pub mod model;
pub mod population;
pub mod queries;

pub use model::{Unit, UnitKind};

use crate::access::roles::Scope;
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};
use crate::messages as msg;

/// Whether a unit lies in a scope (looking up its province); an unknown unit never does.
pub fn in_scope(conn: &mut DbConn, scope: &Scope, code: &str) -> diesel::QueryResult<bool> {
    Ok(match queries::find(conn, code)? {
        Some(unit) => scope.contains(Some(code), unit.parent_code.as_deref()),
        None => false,
    })
}

/// 404 for a unit filter outside the caller's scope, exactly as for a unit that does not
/// exist, so lists cannot be used to probe other units.
pub fn require_in_scope(conn: &mut DbConn, scope: &Scope, code: &str) -> ApiResult<()> {
    if in_scope(conn, scope, code)? {
        Ok(())
    } else {
        Err(ApiError::NotFound(msg::NOT_FOUND_UNIT))
    }
}
