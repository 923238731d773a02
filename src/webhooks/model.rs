//! Webhook and delivery rows, and their shapes in the API.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::outbox::{DeliveryStatus, EventType};
use crate::schema::{webhook_deliveries, webhooks};

/// The events a webhook may ask for (`ping` comes only from `POST /webhooks/{id}/test`).
pub const SUBSCRIBABLE: [EventType; 4] = [
    EventType::RecordCreated,
    EventType::RecordChanged,
    EventType::CertificationChanged,
    EventType::StatsDaily,
];

/// Longest receiver address.
pub const URL_MAX: usize = 2000;
/// Longest description.
pub const DESCRIPTION_MAX: usize = 200;

/// The event types a webhook wants; stored as their names joined by commas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventTypes(pub Vec<EventType>);

impl From<EventTypes> for String {
    fn from(events: EventTypes) -> Self {
        let names: Vec<&str> = events.0.iter().map(|e| e.as_str()).collect();
        names.join(",")
    }
}

impl TryFrom<String> for EventTypes {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        text.split(',')
            .map(|name| {
                EventType::parse(name).ok_or_else(|| format!("{name:?} is not a stored EventType"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }
}

/// A stored webhook.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhooks)]
pub struct WebhookRow {
    /// UUID.
    pub id: String,
    /// Where deliveries go.
    pub url: String,
    /// The unit whose events it receives (with everything under it).
    pub unit_code: String,
    /// Wanted event types.
    #[diesel(serialize_as = String, deserialize_as = String)]
    pub events: EventTypes,
    /// What it is for.
    pub description: Option<String>,
    /// The signing secret.
    pub secret: String,
    /// Who created it.
    pub created_by: Option<String>,
    /// When.
    pub created_at: NaiveDateTime,
    /// When it was deleted (no deliveries since).
    pub deleted_at: Option<NaiveDateTime>,
    /// The last local day whose `stats.daily` it has been given.
    pub daily_through: Option<NaiveDate>,
}

/// A webhook as shown (never its secret, but once at creation).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Webhook {
    /// UUID.
    pub id: String,
    /// Where deliveries go.
    #[schema(example = "https://dashboard.hanoi.gov.vn/hooks/gocua")]
    pub url: String,
    /// The unit whose events it receives.
    #[schema(example = "01")]
    pub unit_code: String,
    /// Wanted event types.
    pub events: Vec<EventType>,
    /// What it is for.
    pub description: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// The signing secret: only in the answer to its creation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl From<WebhookRow> for Webhook {
    fn from(r: WebhookRow) -> Self {
        Self {
            events: r.events.0,
            id: r.id,
            url: r.url,
            unit_code: r.unit_code,
            description: r.description,
            created_at: r.created_at.and_utc(),
            secret: None,
        }
    }
}

/// A stored delivery.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries)]
pub struct DeliveryRow {
    /// UUID v7: time-ordered, so the oldest pending of a webhook has the smallest id.
    pub id: String,
    /// The webhook.
    pub webhook_id: String,
    /// The event (the same id for every webhook it goes to).
    pub event_id: String,
    /// Its type.
    pub event_type: EventType,
    /// The exact body sent.
    pub body: String,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// Attempts so far.
    pub attempts: i32,
    /// HTTP status of the last attempt.
    pub last_status_code: Option<i32>,
    /// What went wrong last.
    pub last_error: Option<String>,
    /// When the event was written.
    pub created_at: NaiveDateTime,
    /// When it is tried next.
    pub next_attempt_at: NaiveDateTime,
    /// When a receiver took it.
    pub delivered_at: Option<NaiveDateTime>,
    /// Until when a worker holds it.
    pub lease_until: Option<NaiveDateTime>,
}

/// A delivery as the log shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Delivery {
    /// The event.
    pub event_id: String,
    /// Its type.
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// Attempts so far.
    pub attempts: i32,
    /// HTTP status of the last attempt.
    pub last_status_code: Option<i32>,
    /// What went wrong last (a status, a timeout, a refused address).
    pub last_error: Option<String>,
    /// When it is tried next (pending only).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// When a receiver took it.
    pub delivered_at: Option<DateTime<Utc>>,
}

impl From<DeliveryRow> for Delivery {
    fn from(r: DeliveryRow) -> Self {
        Self {
            next_attempt_at: (r.status == DeliveryStatus::Pending)
                .then(|| r.next_attempt_at.and_utc()),
            event_id: r.event_id,
            event_type: r.event_type,
            status: r.status,
            attempts: r.attempts,
            last_status_code: r.last_status_code,
            last_error: r.last_error,
            delivered_at: r.delivered_at.map(|t| t.and_utc()),
        }
    }
}
