//! Diesel queries of webhooks and their deliveries.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::{count_star, min};
use diesel::prelude::*;

use super::model::{DeliveryRow, WebhookRow};
use crate::access::Scope;
use crate::db::{DbConn, dialect};
use crate::outbox::{DeliveryStatus, EventType};
use crate::schema::{units, webhook_deliveries as d, webhooks as w};

/// Stores a webhook.
pub fn insert(conn: &mut DbConn, row: &WebhookRow) -> QueryResult<()> {
    let row = row.clone();
    dialect::execute(conn, diesel::insert_into(w::table).values(row)).map(|_| ())
}

/// A live (not deleted) webhook.
pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<WebhookRow>> {
    w::table
        .find(id)
        .filter(w::deleted_at.is_null())
        .select(WebhookRow::as_select())
        .first(conn)
        .optional()
}

/// Live webhooks whose unit is in `scope`, newest first.
pub fn list(conn: &mut DbConn, scope: &Scope) -> QueryResult<Vec<WebhookRow>> {
    let mut query = w::table
        .filter(w::deleted_at.is_null())
        .select(WebhookRow::as_select())
        .into_boxed();
    match scope {
        Scope::National => {}
        Scope::Province(p) => {
            let communes = units::table
                .select(units::code)
                .filter(units::parent_code.eq(p.clone()));
            query = query.filter(w::unit_code.eq(p.clone()).or(w::unit_code.eq_any(communes)));
        }
        Scope::Commune(c) => query = query.filter(w::unit_code.eq(c.clone())),
    }
    query.order((w::created_at.desc(), w::id.desc())).load(conn)
}

/// Deletes a webhook: kept for the audit trail, never delivered to again (what was
/// pending is failed, so the outbox does not keep it).
pub fn delete(conn: &mut DbConn, id: &str, at: NaiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(w::table.find(id).filter(w::deleted_at.is_null()))
        .set(w::deleted_at.eq(at))
        .execute(conn)?;
    diesel::update(
        d::table
            .filter(d::webhook_id.eq(id))
            .filter(d::status.eq(DeliveryStatus::Pending)),
    )
    .set((
        d::status.eq(DeliveryStatus::Failed),
        d::last_error.eq("the webhook was deleted"),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// A delivery to one webhook only (a ping, a `stats.daily`).
pub fn insert_one(
    conn: &mut DbConn,
    webhook: &str,
    event_type: EventType,
    event_id: &str,
    body: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    dialect::execute(
        conn,
        diesel::insert_into(d::table).values((
            d::id.eq(uuid::Uuid::now_v7().to_string()),
            d::webhook_id.eq(webhook),
            d::event_id.eq(event_id),
            d::event_type.eq(event_type),
            d::body.eq(body),
            d::status.eq(DeliveryStatus::Pending),
            d::attempts.eq(0),
            d::created_at.eq(at),
            d::next_attempt_at.eq(at),
        )),
    )
    .map(|_| ())
}

/// Live webhooks that want `stats.daily` and have not been given `day` yet.
pub fn behind_on_daily(conn: &mut DbConn, day: NaiveDate) -> QueryResult<Vec<WebhookRow>> {
    w::table
        .filter(w::deleted_at.is_null())
        .filter(w::events.like(format!("%{}%", EventType::StatsDaily.as_str())))
        .filter(w::daily_through.is_null().or(w::daily_through.lt(day)))
        .select(WebhookRow::as_select())
        .load(conn)
}

/// Marks a webhook given every `stats.daily` up to `day`; `false` when another process
/// did it first (it then writes the events).
pub fn advance_daily(conn: &mut DbConn, id: &str, day: NaiveDate) -> QueryResult<bool> {
    let n = diesel::update(
        w::table
            .find(id)
            .filter(w::deleted_at.is_null())
            .filter(w::daily_through.is_null().or(w::daily_through.lt(day))),
    )
    .set(w::daily_through.eq(day))
    .execute(conn)?;
    Ok(n == 1)
}

/// A webhook's deliveries, newest first, optionally of one status.
pub fn deliveries(
    conn: &mut DbConn,
    webhook: &str,
    status: Option<DeliveryStatus>,
    after: Option<String>,
    limit: i64,
) -> QueryResult<Vec<DeliveryRow>> {
    let mut query = d::table
        .filter(d::webhook_id.eq(webhook))
        .select(DeliveryRow::as_select())
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(d::status.eq(status));
    }
    if let Some(after) = after {
        query = query.filter(d::id.lt(after));
    }
    query.order(d::id.desc()).limit(limit).load(conn)
}

/// The deliveries to send now with their webhooks: for each live webhook, its oldest pending
/// delivery (ids are time-ordered, so events go out in order), if it is due and no worker
/// holds it.
pub fn due(
    conn: &mut DbConn,
    now: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<(DeliveryRow, WebhookRow)>> {
    let heads: Vec<Option<String>> = d::table
        .inner_join(w::table)
        .filter(w::deleted_at.is_null())
        .filter(d::status.eq(DeliveryStatus::Pending))
        .group_by(d::webhook_id)
        .select(min(d::id))
        .load(conn)?;
    let heads: Vec<String> = heads.into_iter().flatten().collect();
    let mut out = Vec::new();
    for chunk in heads.chunks(500) {
        out.extend(
            d::table
                .inner_join(w::table)
                .filter(d::id.eq_any(chunk))
                .filter(d::next_attempt_at.le(now))
                .filter(d::lease_until.is_null().or(d::lease_until.lt(now)))
                .select((DeliveryRow::as_select(), WebhookRow::as_select()))
                .order(d::id.asc())
                .limit(limit)
                .load::<(DeliveryRow, WebhookRow)>(conn)?,
        );
    }
    out.truncate(limit as usize);
    Ok(out)
}

/// A live webhook's oldest pending delivery, if it is due and no worker holds it.
pub fn head_of(
    conn: &mut DbConn,
    webhook: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<(DeliveryRow, WebhookRow)>> {
    let head: Option<(DeliveryRow, WebhookRow)> = d::table
        .inner_join(w::table)
        .filter(d::webhook_id.eq(webhook))
        .filter(w::deleted_at.is_null())
        .filter(d::status.eq(DeliveryStatus::Pending))
        .select((DeliveryRow::as_select(), WebhookRow::as_select()))
        .order(d::id.asc())
        .first(conn)
        .optional()?;
    Ok(head.filter(|(delivery, _)| {
        delivery.next_attempt_at <= now && delivery.lease_until.is_none_or(|until| until < now)
    }))
}

/// Takes a delivery for one attempt, until `until`; `false` when another worker holds it
/// or it is no longer pending (several server processes share one database).
pub fn claim(
    conn: &mut DbConn,
    id: &str,
    now: NaiveDateTime,
    until: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        d::table
            .find(id)
            .filter(d::status.eq(DeliveryStatus::Pending))
            .filter(d::lease_until.is_null().or(d::lease_until.lt(now))),
    )
    .set(d::lease_until.eq(until))
    .execute(conn)?;
    Ok(n == 1)
}

/// What one attempt came to.
pub struct Outcome {
    /// Pending (to retry), delivered or failed.
    pub status: DeliveryStatus,
    /// HTTP status, when the receiver answered.
    pub status_code: Option<i32>,
    /// What went wrong.
    pub error: Option<String>,
    /// When to try again (pending only).
    pub next_attempt_at: NaiveDateTime,
    /// When it was delivered.
    pub delivered_at: Option<NaiveDateTime>,
}

/// Records an attempt and releases the lease.
pub fn finish(conn: &mut DbConn, id: &str, outcome: &Outcome) -> QueryResult<()> {
    diesel::update(d::table.find(id))
        .set((
            d::status.eq(outcome.status),
            d::attempts.eq(d::attempts + 1),
            d::last_status_code.eq(outcome.status_code),
            d::last_error.eq(&outcome.error),
            d::next_attempt_at.eq(outcome.next_attempt_at),
            d::delivered_at.eq(outcome.delivered_at),
            d::lease_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Webhooks holding more than `cap` pending deliveries, with how many they hold.
pub fn over_cap(conn: &mut DbConn, cap: i64) -> QueryResult<Vec<(String, i64)>> {
    d::table
        .filter(d::status.eq(DeliveryStatus::Pending))
        .group_by(d::webhook_id)
        .having(count_star().gt(cap))
        .select((d::webhook_id, count_star()))
        .load(conn)
}

/// Fails a webhook's `n` oldest pending deliveries with `error`, unsent.
pub fn drop_oldest(conn: &mut DbConn, webhook: &str, n: i64, error: &str) -> QueryResult<usize> {
    let ids: Vec<String> = d::table
        .filter(d::webhook_id.eq(webhook))
        .filter(d::status.eq(DeliveryStatus::Pending))
        .order(d::id.asc())
        .limit(n)
        .select(d::id)
        .load(conn)?;
    let mut dropped = 0;
    for chunk in ids.chunks(500) {
        dropped += diesel::update(d::table.filter(d::id.eq_any(chunk)))
            .set((
                d::status.eq(DeliveryStatus::Failed),
                d::last_error.eq(error),
            ))
            .execute(conn)?;
    }
    Ok(dropped)
}

/// Fails, unsent, every pending delivery of an event older than `before` (the webhook's
/// earlier deliveries kept it waiting past the retry window).
pub fn expire(conn: &mut DbConn, before: NaiveDateTime, error: &str) -> QueryResult<usize> {
    diesel::update(
        d::table
            .filter(d::status.eq(DeliveryStatus::Pending))
            .filter(d::created_at.lt(before))
            .filter(
                d::lease_until
                    .is_null()
                    .or(d::lease_until.lt(crate::clock::now())),
            ),
    )
    .set((
        d::status.eq(DeliveryStatus::Failed),
        d::last_error.eq(error),
    ))
    .execute(conn)
}

/// How many deliveries wait, and since when the oldest.
pub fn depth(conn: &mut DbConn) -> QueryResult<(i64, Option<NaiveDateTime>)> {
    d::table
        .filter(d::status.eq(DeliveryStatus::Pending))
        .select((count_star(), min(d::created_at)))
        .first(conn)
}

/// Deletes deliveries settled (delivered or failed) before `before`: the log keeps a
/// window, not everything ever sent.
pub fn prune(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(
        d::table
            .filter(d::status.ne(DeliveryStatus::Pending))
            .filter(d::created_at.lt(before)),
    )
    .execute(conn)
}
