//! Retention of citizen links: a record whose `occurred_at` is older than
//! `GOCUA_CITIZEN_REF_RETENTION_DAYS` loses its keyed hash, at start, daily, and on
//! `gocua purge-citizen-refs`. It then holds `x:` and the statistics' number of the
//! resident, so every count stays (distinct residents are counted by that number); once a
//! resident's last linked record has expired, the number's own link to the hash is
//! replaced too, and nothing joins that resident to a citizen number any more.

use std::time::Duration;

use actix_web::web;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::queries;
use crate::db::DbConn;
use crate::records::citizen::{UNLINKED, unlinked_ref};
use crate::schema::records;
use crate::state::AppState;

/// Residents handled per transaction.
const BATCH: i64 = 500;

/// Removes the link of every record that happened before `before`; returns how many lost it.
pub fn purge(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    let mut total = 0;
    loop {
        let refs: Vec<Option<String>> = records::table
            .filter(records::occurred_at.lt(before))
            .filter(records::citizen_ref.is_not_null())
            .filter(records::citizen_ref.not_like(format!("{UNLINKED}%")))
            .select(records::citizen_ref)
            .distinct()
            .limit(BATCH)
            .load(conn)?;
        if refs.is_empty() {
            return Ok(total);
        }
        total += conn.transaction::<_, diesel::result::Error, _>(|conn| {
            let mut n = 0;
            for linked in refs.iter().flatten() {
                n += expire(conn, linked, before)?;
            }
            Ok(n)
        })?;
    }
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

/// Runs [`purge`] now and then once a day, for as long as the runtime lives.
pub fn spawn(state: web::Data<AppState>) {
    actix_web::rt::spawn(async move {
        loop {
            let before = cutoff(state.config.citizen_ref_retention_days);
            match state
                .write_records(move |conn| Ok(purge(conn, before)?))
                .await
            {
                Ok(0) => {}
                Ok(n) => tracing::info!(records = n, "citizen links past retention removed"),
                Err(e) => {
                    tracing::warn!(error = %e, "citizen link retention failed; trying tomorrow")
                }
            }
            actix_web::rt::time::sleep(Duration::from_secs(24 * 3600)).await;
        }
    });
}
