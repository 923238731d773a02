//! Every SQL difference between SQLite and PostgreSQL that gocua meets, so no module outside
//! `src/db` matches on the backend. A caller writes its statement once, for both; this module
//! runs it on the inner connection where diesel's multi-backend connection cannot (multi-row
//! inserts, `ON CONFLICT`, `RETURNING`, raw `QueryableByName` reads), or picks the statement
//! shape each backend accepts.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::query_dsl::LoadQuery;
use diesel::query_dsl::methods::ExecuteDsl;

use super::DbConn;

/// Bind parameters one statement may carry on both backends: SQLite's limit, the lower.
pub const MAX_BINDS: usize = 32_766;

/// Runs a statement written once for both backends on the inner connection.
pub fn execute<Q>(conn: &mut DbConn, statement: Q) -> QueryResult<usize>
where
    Q: ExecuteDsl<PgConnection> + ExecuteDsl<SqliteConnection>,
{
    match conn {
        DbConn::Postgres(c) => ExecuteDsl::<PgConnection>::execute(statement, c),
        DbConn::Sqlite(c) => ExecuteDsl::<SqliteConnection>::execute(statement, c),
    }
}

/// Loads the rows of a query written once for both backends on the inner connection.
pub fn load<'q, Q, U>(conn: &mut DbConn, query: Q) -> QueryResult<Vec<U>>
where
    Q: RunQueryDsl<PgConnection>
        + RunQueryDsl<SqliteConnection>
        + LoadQuery<'q, PgConnection, U>
        + LoadQuery<'q, SqliteConnection, U>,
{
    match conn {
        DbConn::Postgres(c) => RunQueryDsl::<PgConnection>::load(query, c),
        DbConn::Sqlite(c) => RunQueryDsl::<SqliteConnection>::load(query, c),
    }
}

/// Runs an upsert (`INSERT … ON CONFLICT`) for every row. PostgreSQL gets multi-row
/// statements of up to `max` rows built by `many`; SQLite, where diesel cannot batch an
/// upsert, one in-process statement per row built by `one`. Call it inside a transaction.
pub fn upsert_all<'r, T, Many, One>(
    conn: &mut DbConn,
    rows: &'r [T],
    max: usize,
    many: impl Fn(&'r [T]) -> Many,
    one: impl Fn(&'r T) -> One,
) -> QueryResult<()>
where
    Many: ExecuteDsl<PgConnection>,
    One: ExecuteDsl<SqliteConnection>,
{
    match conn {
        DbConn::Postgres(c) => {
            for chunk in rows.chunks(max) {
                ExecuteDsl::<PgConnection>::execute(many(chunk), c)?;
            }
        }
        DbConn::Sqlite(c) => {
            for row in rows {
                ExecuteDsl::<SqliteConnection>::execute(one(row), c)?;
            }
        }
    }
    Ok(())
}

/// [`upsert_all`] that returns each row as stored after its statement (`RETURNING`), in
/// the same statement, so a writer learns the new totals without reading them again.
pub fn upsert_all_returning<'r, T, R, Many, One>(
    conn: &mut DbConn,
    rows: &'r [T],
    max: usize,
    many: impl Fn(&'r [T]) -> Many,
    one: impl Fn(&'r T) -> One,
) -> QueryResult<Vec<R>>
where
    Many: RunQueryDsl<PgConnection> + LoadQuery<'r, PgConnection, R>,
    One: RunQueryDsl<SqliteConnection> + LoadQuery<'r, SqliteConnection, R>,
{
    let mut out = Vec::with_capacity(rows.len());
    match conn {
        DbConn::Postgres(c) => {
            for chunk in rows.chunks(max) {
                out.extend(RunQueryDsl::<PgConnection>::load(many(chunk), c)?);
            }
        }
        DbConn::Sqlite(c) => {
            for row in rows {
                out.extend(RunQueryDsl::<SqliteConnection>::load(one(row), c)?);
            }
        }
    }
    Ok(out)
}

#[derive(diesel::QueryableByName)]
struct Key {
    #[diesel(sql_type = diesel::sql_types::Text)]
    key: String,
}

/// Stores the rows that conflict with no stored row and returns the `key_column` of those
/// stored. PostgreSQL gets every row in one JSON parameter, `INSERT INTO table SELECT *
/// FROM json_populate_recordset(NULL::table, $1) ON CONFLICT DO NOTHING RETURNING key`, so
/// a 1,000-row batch is one statement with one parameter instead of 37,000 for the server
/// to parse and plan; the rows must serialize with the table's column names (a column left
/// out is NULL) and values in the column's text form. SQLite gets one `INSERT … ON CONFLICT
/// DO NOTHING` per row built by `one` (diesel runs a batch with `RETURNING` row by row there
/// and fails on a skipped row), and a row counts as stored when its statement changed one
/// row. Call it inside a transaction.
pub fn insert_new_as_json<'r, T, One>(
    conn: &mut DbConn,
    table: &str,
    key_column: &str,
    rows: &'r [T],
    key: impl Fn(&'r T) -> String,
    one: impl Fn(&'r T) -> One,
) -> QueryResult<Vec<String>>
where
    T: serde::Serialize,
    One: ExecuteDsl<SqliteConnection>,
{
    match conn {
        DbConn::Postgres(c) => {
            let json = serde_json::to_string(rows)
                .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
            let stored: Vec<Key> = diesel::sql_query(format!(
                "INSERT INTO {table} SELECT * FROM json_populate_recordset(NULL::{table}, $1::json) \
                 ON CONFLICT DO NOTHING RETURNING {key_column} AS key"
            ))
            .bind::<diesel::sql_types::Text, _>(json)
            .load(c)?;
            Ok(stored.into_iter().map(|k| k.key).collect())
        }
        DbConn::Sqlite(c) => {
            let mut stored = Vec::with_capacity(rows.len());
            for row in rows {
                if ExecuteDsl::<SqliteConnection>::execute(one(row), c)? == 1 {
                    stored.push(key(row));
                }
            }
            Ok(stored)
        }
    }
}

/// Loosens durability on this connection for regenerable bulk data (the benchmark seed):
/// no fsync per transaction, and on SQLite a 1 GiB page cache and no foreign-key checks.
pub fn for_bulk_load(conn: &mut DbConn) -> QueryResult<()> {
    match conn {
        DbConn::Sqlite(c) => c.batch_execute(
            "PRAGMA synchronous = OFF; PRAGMA cache_size = -1048576; PRAGMA foreign_keys = OFF;",
        ),
        DbConn::Postgres(c) => c.batch_execute("SET synchronous_commit = off"),
    }
}

/// Makes every read of the current transaction see one snapshot; call it first inside the
/// transaction. PostgreSQL needs `REPEATABLE READ` for that; a SQLite transaction already
/// reads one snapshot.
pub fn one_snapshot(conn: &mut DbConn) -> QueryResult<()> {
    match conn {
        DbConn::Postgres(c) => c.batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"),
        DbConn::Sqlite(_) => Ok(()),
    }
}

/// Locks these volunteers' and citizens' rows until the transaction ends, volunteers then
/// citizens, each in id order (callers take them after their rollup rows), so two
/// transactions never wait for each other in a circle. PostgreSQL
/// needs it where a transaction derives rows from a person's other rows that a concurrent
/// one may change (`stats::spans`); `FOR NO KEY UPDATE` leaves foreign-key checks (records
/// naming the volunteer) free, and row locks, unlike advisory ones, have no per-transaction
/// limit. SQLite's one writer already holds the whole database.
pub fn lock_people(conn: &mut DbConn, volunteers: &[&str], citizens: &[i64]) -> QueryResult<()> {
    use crate::schema::{citizens as c, users as u};
    let DbConn::Postgres(pg) = conn else {
        return Ok(());
    };
    if !volunteers.is_empty() {
        u::table
            .select(u::id)
            .filter(u::id.eq_any(volunteers))
            .order(u::id)
            .for_no_key_update()
            .execute(pg)?;
    }
    if !citizens.is_empty() {
        c::table
            .select(c::id)
            .filter(c::id.eq_any(citizens))
            .order(c::id)
            .for_no_key_update()
            .execute(pg)?;
    }
    Ok(())
}

/// Locks a unit's row until the transaction ends, so that changes to what lies under it
/// (a commune's hamlets: their numbers, names and rearrangements) happen one at a time on
/// PostgreSQL; SQLite's one writer already holds the whole database.
pub fn lock_unit(conn: &mut DbConn, code: &str) -> QueryResult<()> {
    use crate::schema::units as u;
    let DbConn::Postgres(pg) = conn else {
        return Ok(());
    };
    u::table
        .select(u::code)
        .filter(u::code.eq(code))
        .for_no_key_update()
        .execute(pg)?;
    Ok(())
}

#[derive(diesel::QueryableByName)]
struct Stamp {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    value: i64,
}

/// The change stamp of the current transaction (call it inside one): on PostgreSQL the
/// transaction's id, on SQLite the next number of `change_clock`, whose update takes the
/// write lock, so stamps there are handed out in commit order.
pub fn change_stamp(conn: &mut DbConn) -> QueryResult<i64> {
    let stamp: Stamp = match conn {
        DbConn::Postgres(c) => {
            diesel::sql_query("SELECT pg_current_xact_id()::text::bigint AS value").get_result(c)?
        }
        DbConn::Sqlite(c) => {
            diesel::sql_query("UPDATE change_clock SET value = value + 1 RETURNING value")
                .get_result(c)?
        }
    };
    Ok(stamp.value)
}

/// The stamp below which no change can still commit: `Some(xmin)` of the current snapshot
/// on PostgreSQL, where every transaction with a smaller id has ended, so the changes below
/// it are final; `None` on SQLite, where a reader sees a prefix of the commits and stamps
/// commit in order. Ask before reading the changes, never after.
pub fn settled_stamp(conn: &mut DbConn) -> QueryResult<Option<i64>> {
    match conn {
        DbConn::Postgres(c) => {
            let stamp: Stamp = diesel::sql_query(
                "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS value",
            )
            .get_result(c)?;
            Ok(Some(stamp.value))
        }
        DbConn::Sqlite(_) => Ok(None),
    }
}
