//! The append-only audit log: who did what to which object, written in the same transaction
//! as the change so that one never exists without the other. Summaries never hold citizen
//! data, passwords or tokens.

use diesel::prelude::*;
use uuid::Uuid;

use crate::db::DbConn;
use crate::schema::audit_log;

/// One audited action.
#[derive(Debug, Insertable)]
#[diesel(table_name = audit_log)]
pub struct Entry<'a> {
    id: String,
    at: chrono::NaiveDateTime,
    actor_id: Option<&'a str>,
    action: &'a str,
    object_kind: &'a str,
    object_id: &'a str,
    unit_code: Option<&'a str>,
    summary: String,
}

impl<'a> Entry<'a> {
    /// An entry stamped now. `unit_code` is the unit the object belongs to, so supervisors
    /// can read their scope's log.
    pub fn new(
        actor_id: Option<&'a str>,
        action: &'a str,
        object: (&'a str, &'a str),
        unit_code: Option<&'a str>,
        summary: impl Into<String>,
    ) -> Self {
        Self {
            id: Uuid::new_v4().to_string(),
            at: crate::db::now(),
            actor_id,
            action,
            object_kind: object.0,
            object_id: object.1,
            unit_code,
            summary: summary.into(),
        }
    }
}

/// Appends entries in multi-row statements; call it inside the transaction of the changes
/// they describe.
pub fn insert_all(conn: &mut DbConn, entries: &[Entry<'_>]) -> QueryResult<()> {
    // 8 columns per row: 1,000 rows stay under SQLite's 32,766 bind parameters.
    for chunk in entries.chunks(1000) {
        let statement = diesel::insert_into(audit_log::table).values(chunk);
        crate::on_backend!(conn, |c| statement.execute(c))?;
    }
    Ok(())
}

/// Appends one entry; call it inside the transaction of the change it describes.
pub fn record(
    conn: &mut DbConn,
    actor_id: Option<&str>,
    action: &str,
    object: (&str, &str),
    unit_code: Option<&str>,
    summary: impl Into<String>,
) -> QueryResult<()> {
    insert_all(
        conn,
        &[Entry::new(actor_id, action, object, unit_code, summary)],
    )
}
