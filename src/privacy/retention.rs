//! Retention of citizen links, and of the addresses of households closed longer than the
//! same period (`households::erase::expire_addresses`). A record whose `occurred_at` is older than
//! `GOCUA_CITIZEN_REF_RETENTION_DAYS` loses its keyed hash, at start, daily, and on
//! `gocua purge-citizen-refs`. It then holds `x:` and the statistics' number of the
//! resident, so every count stays (distinct residents are counted by that number); once a
//! resident's last linked record has expired, the number's own link to the hash is
//! replaced too, and nothing joins that resident to a citizen number any more.

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::queries;
use crate::db::DbConn;
use crate::db::DbError;
use crate::records::citizen::{UNLINKED, unlinked_ref};
use crate::schema::records;
use crate::state::AppState;

/// Residents handled per transaction.
const BATCH: i64 = 500;

/// Removes the link of every record that happened before `before`; returns how many lost it.
pub fn purge(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    let mut total = 0;
    loop {
        let refs = expiring(conn, before)?;
        if refs.is_empty() {
            return Ok(total);
        }
        total += expire_all(conn, &refs, before)?;
    }
}

/// Up to [`BATCH`] residents' hashes still held by a record from before `before`. Finding
/// none reads every linked record (seconds on millions), so the server runs this on a
/// pool connection, never on SQLite's one writer, which would hold every write that long.
pub fn expiring(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<Vec<String>> {
    let refs: Vec<Option<String>> = records::table
        .filter(records::occurred_at.lt(before))
        .filter(records::citizen_ref.is_not_null())
        .filter(records::citizen_ref.not_like(format!("{UNLINKED}%")))
        .select(records::citizen_ref)
        .distinct()
        .limit(BATCH)
        .load(conn)?;
    Ok(refs.into_iter().flatten().collect())
}

/// These residents' records from before `before` lose their link, in one transaction (a
/// record changed since [`expiring`] read it is read again here).
pub fn expire_all(conn: &mut DbConn, refs: &[String], before: NaiveDateTime) -> QueryResult<usize> {
    conn.transaction(|conn| {
        let mut n = 0;
        for linked in refs {
            n += expire(conn, linked, before)?;
        }
        Ok(n)
    })
}

/// One resident's records before `before` lose the hash `linked`.
fn expire(conn: &mut DbConn, linked: &str, before: NaiveDateTime) -> QueryResult<usize> {
    let number = queries::citizen_number(conn, linked)?;
    let ids: Vec<String> = records::table
        .filter(records::citizen_ref.eq(linked))
        .filter(records::occurred_at.lt(before))
        .select(records::id)
        .load(conn)?;
    let token = number.map_or_else(unlinked_ref, |n| format!("{UNLINKED}{n}"));
    let expired = queries::unlink(conn, &ids, &token)?;
    if let Some(number) = number
        && !queries::still_linked(conn, linked)?
    {
        queries::rekey_citizen(conn, number, &unlinked_ref())?;
    }
    Ok(expired)
}

/// The instant before which links expire now.
pub fn cutoff(retention_days: i64) -> NaiveDateTime {
    crate::clock::now() - chrono::TimeDelta::days(retention_days)
}

/// [`purge`] for the server: each batch is looked for on a pool connection and expired
/// on the record writer, so writes wait only for the short transactions.
async fn purge_in_turns(state: &AppState, before: NaiveDateTime) -> Result<usize, DbError> {
    let mut total = 0;
    loop {
        let refs = state
            .primary(move |conn| Ok::<_, DbError>(expiring(conn, before)?))
            .await?;
        if refs.is_empty() {
            return Ok(total);
        }
        total += state
            .write_records(move |conn| Ok::<_, DbError>(expire_all(conn, &refs, before)?))
            .await?;
    }
}

/// Runs [`purge`] now and then once a day, for as long as the runtime lives.
pub fn spawn(state: &Arc<AppState>) {
    let state = state.clone();
    tokio::task::spawn_local(async move {
        loop {
            let before = cutoff(state.config.citizen_ref_retention_days);
            match purge_in_turns(&state, before).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(records = n, "citizen links past retention removed"),
                Err(e) => {
                    tracing::warn!(error = %e, "citizen link retention failed; trying tomorrow")
                }
            }
            let addresses = state
                .write_records(move |conn| {
                    Ok::<_, DbError>(crate::households::erase::expire_addresses(conn, before)?)
                })
                .await;
            match addresses {
                Ok(0) => {}
                Ok(n) => tracing::info!(households = n, "addresses of closed households cleared"),
                Err(e) => tracing::warn!(error = %e, "address retention failed; trying tomorrow"),
            }
            tokio::time::sleep(Duration::from_secs(24 * 3600)).await;
        }
    });
}
