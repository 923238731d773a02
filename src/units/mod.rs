//! Administrative units: the 2025 two-tier map (provinces and communes) that scopes every
//! user, team and record, and below it the communes' hamlets and residential groups
//! (`hamlets`).

pub mod hamlets;
pub mod handlers;
pub mod import;
pub mod model;
pub mod queries;

pub use model::{Unit, UnitKind};

use crate::access::roles::Scope;
use crate::db::{DbConn, DbError};

/// Whether a unit of the map (a province or a commune) lies in a scope, looking up its
/// province; an unknown unit never does, nor a hamlet (its changes check its commune).
pub fn in_scope(conn: &mut DbConn, scope: &Scope, code: &str) -> diesel::QueryResult<bool> {
    Ok(match queries::find(conn, code)? {
        Some(unit) => scope.contains(Some(code), unit.parent_code.as_deref()),
        None => false,
    })
}

/// Why a unit a caller named was refused.
#[derive(Debug, thiserror::Error)]
pub enum UnitError {
    /// Outside the caller's scope, or no such unit: the same answer (a 404), so that lists
    /// cannot be used to probe other units.
    #[error("no such unit in the caller's scope")]
    NotInScope,
    /// The database failed.
    #[error(transparent)]
    Database(#[from] DbError),
}

crate::db::domain_error!(UnitError);

/// Refuses a unit filter outside the caller's scope exactly as a unit that does not exist.
pub fn require_in_scope(conn: &mut DbConn, scope: &Scope, code: &str) -> Result<(), UnitError> {
    if in_scope(conn, scope, code)? {
        Ok(())
    } else {
        Err(UnitError::NotInScope)
    }
}
