//! The webhook outbox: every event a webhook wants becomes a delivery row written in the
//! transaction of the change that causes it, so a crash between the commit and the send
//! loses nothing (the delivery worker, `webhooks::worker`, sends the rows). Shared below the
//! domains: records and certifications write events, the webhooks domain sends them.

use std::collections::HashMap;

use diesel::prelude::*;
use serde_json::{Value, json};

use crate::db::{DbConn, dialect};
use crate::schema::{units, webhook_deliveries, webhooks};
use crate::text::text_enum;

text_enum! {
    /// What an event says happened.
    EventType {
        /// A record was stored.
        RecordCreated => "record.created",
        /// A record was edited, reviewed or voided.
        RecordChanged => "record.changed",
        /// A certification was submitted, accepted, returned or reopened.
        CertificationChanged => "certification.changed",
        /// The figures of every commune of the unit for the day that ended.
        StatsDaily => "stats.daily",
        /// A test ping (`POST /webhooks/{id}/test`), to that webhook only.
        Ping => "ping",
    }
}

text_enum! {
    /// Where a delivery stands.
    DeliveryStatus {
        /// Not taken yet; retried until it is, or until it fails.
        Pending => "pending",
        /// A receiver answered 2xx.
        Delivered => "delivered",
        /// Given up after the last attempt.
        Failed => "failed",
    }
}

/// An event about an object of a commune (a province for `stats.daily`).
#[derive(Debug, Clone)]
pub struct Event {
    /// What happened.
    pub kind: EventType,
    /// The unit the object belongs to.
    pub unit_code: String,
    /// The object as the API shows it (never a citizen id, its hash or a phone number).
    pub data: Value,
}

#[derive(Insertable)]
#[diesel(table_name = webhook_deliveries)]
struct NewDelivery<'a> {
    id: String,
    webhook_id: &'a str,
    event_id: &'a str,
    event_type: EventType,
    body: String,
    status: DeliveryStatus,
    attempts: i32,
    created_at: chrono::NaiveDateTime,
    next_attempt_at: chrono::NaiveDateTime,
}

/// Rows per multi-row insert (9 columns: far below SQLite's bind limit).
const CHUNK: usize = 1000;

/// The body of a delivery: `{id, type, created_at, unit_code, data}`.
pub fn body(event_id: &str, event: &Event, at: chrono::NaiveDateTime) -> String {
    json!({
        "id": event_id,
        "type": event.kind.as_str(),
        "created_at": at.and_utc(),
        "unit_code": event.unit_code,
        "data": event.data,
    })
    .to_string()
}

/// Writes a delivery for every live webhook that wants each event and whose unit holds the
/// event's unit (the unit itself or its province). Call it inside the change's transaction.
pub fn enqueue(conn: &mut DbConn, events: &[Event]) -> QueryResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    let hooks: Vec<(String, String, String)> = webhooks::table
        .filter(webhooks::deleted_at.is_null())
        .select((webhooks::id, webhooks::unit_code, webhooks::events))
        .load(conn)?;
    if hooks.is_empty() {
        return Ok(());
    }
    let mut codes: Vec<&str> = events.iter().map(|e| e.unit_code.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    let parents: HashMap<String, Option<String>> = units::table
        .filter(units::code.eq_any(&codes))
        .select((units::code, units::parent_code))
        .load(conn)?
        .into_iter()
        .collect();
    let now = crate::clock::now();
    let ids: Vec<String> = events
        .iter()
        .map(|_| uuid::Uuid::now_v7().to_string())
        .collect();
    let mut rows = Vec::new();
    for (event, event_id) in events.iter().zip(&ids) {
        let parent = parents.get(&event.unit_code).cloned().flatten();
        let text = body(event_id, event, now);
        for (hook, unit, wanted) in &hooks {
            let inside = *unit == event.unit_code || parent.as_deref() == Some(unit.as_str());
            if inside && wanted.split(',').any(|w| w == event.kind.as_str()) {
                rows.push(NewDelivery {
                    id: uuid::Uuid::now_v7().to_string(),
                    webhook_id: hook,
                    event_id,
                    event_type: event.kind,
                    body: text.clone(),
                    status: DeliveryStatus::Pending,
                    attempts: 0,
                    created_at: now,
                    next_attempt_at: now,
                });
            }
        }
    }
    for chunk in rows.chunks(CHUNK) {
        dialect::execute(
            conn,
            diesel::insert_into(webhook_deliveries::table).values(chunk),
        )?;
    }
    Ok(())
}
