//! Every query on `units`.

use diesel::prelude::*;

use super::model::{UnitKind, UnitRow};
use crate::db::DbConn;
use crate::schema::units;

/// Filters of `GET /api/v1/units`.
#[derive(Debug, Default)]
pub struct UnitFilter {
    /// Only children of this unit.
    pub parent: Option<String>,
    /// Only this kind.
    pub kind: Option<UnitKind>,
    /// Folded search text (see [`crate::text::fold`]).
    pub q: Option<String>,
}

/// Units in code order after `after`, at most `limit` rows.
pub fn list(
    conn: &mut DbConn,
    filter: &UnitFilter,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<UnitRow>> {
    let mut query = units::table.select(UnitRow::as_select()).into_boxed();
    if let Some(parent) = &filter.parent {
        query = query.filter(units::parent_code.eq(parent.clone()));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(units::kind.eq(kind.as_str()));
    }
    if let Some(q) = &filter.q {
        query = query.filter(
            units::search_text
                .like(crate::text::like_contains(q))
                .escape('\\'),
        );
    }
    if let Some(after) = after {
        query = query.filter(units::code.gt(after.to_owned()));
    }
    query.order(units::code.asc()).limit(limit).load(conn)
}

/// One unit by code.
pub fn find(conn: &mut DbConn, code: &str) -> QueryResult<Option<UnitRow>> {
    units::table
        .find(code)
        .select(UnitRow::as_select())
        .first(conn)
        .optional()
}

/// How many units are stored (zero means the map must be loaded).
pub fn count(conn: &mut DbConn) -> QueryResult<i64> {
    units::table.count().get_result(conn)
}
