//! Diesel queries of a resident's records and of the statistics' citizen numbers.

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::access::Scope;
use crate::db::{DbConn, dialect};
use crate::records::model::{AssistAction, AssistResult, Kind, SignatureStatus};
use crate::schema::{citizen_rollups, citizens, records, units};

/// A record held about a resident, as a look-up shows it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = records)]
pub struct HeldRow {
    /// Record id.
    pub id: String,
    /// Kind.
    pub kind: Kind,
    /// Local day.
    pub occurred_on: NaiveDate,
    /// Commune.
    pub commune_code: String,
    /// Assist action.
    pub action: Option<AssistAction>,
    /// Signature status.
    pub status: Option<SignatureStatus>,
    /// Assist result.
    pub result: Option<AssistResult>,
}

/// The communes of a scope (`None`: everywhere).
fn communes(conn: &mut DbConn, scope: &Scope) -> QueryResult<Option<Vec<String>>> {
    Ok(match scope {
        Scope::National => None,
        Scope::Province(p) => Some(
            units::table
                .filter(units::parent_code.eq(p))
                .select(units::code)
                .load(conn)?,
        ),
        Scope::Commune(c) => Some(vec![c.clone()]),
    })
}

/// Every record linked to `citizen_ref` in `scope`, oldest first.
pub fn held(conn: &mut DbConn, citizen_ref: &str, scope: &Scope) -> QueryResult<Vec<HeldRow>> {
    let mut query = records::table
        .filter(records::citizen_ref.eq(citizen_ref))
        .select(HeldRow::as_select())
        .order((records::occurred_at.asc(), records::id.asc()))
        .into_boxed();
    if let Some(list) = communes(conn, scope)? {
        query = query.filter(records::commune_code.eq_any(list));
    }
    query.load(conn)
}

/// Whether records outside `scope` are linked to `citizen_ref` too.
pub fn held_elsewhere(conn: &mut DbConn, citizen_ref: &str, scope: &Scope) -> QueryResult<bool> {
    let Some(list) = communes(conn, scope)? else {
        return Ok(false);
    };
    diesel::select(diesel::dsl::exists(
        records::table
            .filter(records::citizen_ref.eq(citizen_ref))
            .filter(records::commune_code.ne_all(list)),
    ))
    .get_result(conn)
}

/// Whether any record still holds `citizen_ref`.
pub fn still_linked(conn: &mut DbConn, citizen_ref: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        records::table.filter(records::citizen_ref.eq(citizen_ref)),
    ))
    .get_result(conn)
}

/// The statistics' number of a citizen reference.
pub fn citizen_number(conn: &mut DbConn, citizen_ref: &str) -> QueryResult<Option<i64>> {
    citizens::table
        .filter(citizens::citizen_ref.eq(citizen_ref))
        .select(citizens::id)
        .first(conn)
        .optional()
}

/// Gives a statistics' number a new reference (the old one then matches nothing).
pub fn rekey_citizen(conn: &mut DbConn, number: i64, citizen_ref: &str) -> QueryResult<()> {
    diesel::update(citizens::table.find(number))
        .set(citizens::citizen_ref.eq(citizen_ref))
        .execute(conn)
        .map(|_| ())
}

/// A new statistics' number for a reference.
pub fn new_citizen(conn: &mut DbConn, citizen_ref: &str) -> QueryResult<i64> {
    dialect::execute(
        conn,
        diesel::insert_into(citizens::table).values(citizens::citizen_ref.eq(citizen_ref)),
    )?;
    citizens::table
        .filter(citizens::citizen_ref.eq(citizen_ref))
        .select(citizens::id)
        .first(conn)
}

/// Moves a scope's statistics rows of one citizen number to another.
pub fn move_rollups(conn: &mut DbConn, from: i64, to: i64, scope: &Scope) -> QueryResult<usize> {
    let mut rows = diesel::update(citizen_rollups::table)
        .filter(citizen_rollups::citizen_id.eq(from))
        .into_boxed();
    if let Some(list) = communes(conn, scope)? {
        rows = rows.filter(citizen_rollups::commune_code.eq_any(list));
    }
    rows.set(citizen_rollups::citizen_id.eq(to)).execute(conn)
}

/// Replaces the link of these records by `unlinked`, and their content fingerprint (made
/// from the keyed hash) by [`crate::records::citizen::UNLINKED_FINGERPRINT`].
pub fn unlink(conn: &mut DbConn, ids: &[String], unlinked: &str) -> QueryResult<usize> {
    let mut n = 0;
    for chunk in ids.chunks(500) {
        n += diesel::update(records::table.filter(records::id.eq_any(chunk)))
            .set((
                records::citizen_ref.eq(unlinked),
                records::content_hash.eq(crate::records::citizen::UNLINKED_FINGERPRINT),
            ))
            .execute(conn)?;
    }
    Ok(n)
}
