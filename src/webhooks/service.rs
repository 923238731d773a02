//! The rules of webhooks: who manages them (an admin, or a province supervisor for a unit in
//! scope), which receivers are allowed, and the secret shown once.

use diesel::Connection;

use super::address::{self, Refusal};
use super::model::{DESCRIPTION_MAX, Delivery, SUBSCRIBABLE, URL_MAX, Webhook, WebhookRow};
use super::queries;
use crate::access::{AuthUser, Role};
use crate::db::{DbConn, DbError};
use crate::error::FieldError;
use crate::messages as msg;
use crate::outbox::EventType;

/// Why a webhook request was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// Fields break the rules; every failing field is listed.
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    /// Not an admin or a province supervisor.
    #[error("not an owner of webhooks")]
    NotAnOwner,
    /// No such webhook (or unit) in the caller's scope.
    #[error("no such webhook")]
    NotFound,
    /// No such unit in the caller's scope.
    #[error("no such unit")]
    UnitNotFound,
    /// The database failed.
    #[error(transparent)]
    Database(#[from] DbError),
}

crate::db::domain_error!(WebhookError);

/// What the functions here return.
pub type WebhookResult<T> = Result<T, WebhookError>;

/// A new subscription.
#[derive(Debug, Clone)]
pub struct NewWebhook {
    /// Receiver.
    pub url: String,
    /// The unit whose events it receives.
    pub unit_code: String,
    /// Wanted events.
    pub events: Vec<EventType>,
    /// What it is for.
    pub description: Option<String>,
}

fn require_owner(caller: &AuthUser) -> WebhookResult<()> {
    if caller.role >= Role::ProvinceSupervisor {
        Ok(())
    } else {
        Err(WebhookError::NotAnOwner)
    }
}

/// A fresh signing secret: 32 random bytes, as `whsec_` and unpadded base64url.
fn new_secret() -> WebhookResult<String> {
    use base64::Engine;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| DbError::Internal(anyhow::anyhow!("{e}")))?;
    Ok(format!(
        "whsec_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    ))
}

/// Subscribes a receiver to the events of a unit in scope; the answer carries the secret,
/// the only time it is shown.
pub fn create(
    conn: &mut DbConn,
    caller: &AuthUser,
    input: NewWebhook,
    allow_private: bool,
) -> WebhookResult<Webhook> {
    require_owner(caller)?;
    if !crate::units::in_scope(conn, &caller.scope, &input.unit_code)? {
        return Err(WebhookError::UnitNotFound);
    }
    let mut errors = Vec::new();
    let url = input.url.trim().to_owned();
    if url.chars().count() > URL_MAX {
        errors.push(FieldError::new(
            "url",
            "too_long",
            msg::at_most_chars(URL_MAX),
        ));
    } else {
        match address::check(&url, allow_private) {
            Ok(()) => {}
            Err(Refusal::NotHttp) => {
                errors.push(FieldError::new("url", "invalid_url", msg::WEBHOOK_URL))
            }
            Err(Refusal::Unresolvable) => errors.push(FieldError::new(
                "url",
                "unresolvable",
                msg::WEBHOOK_UNRESOLVABLE,
            )),
            Err(Refusal::Private(_)) => errors.push(FieldError::new(
                "url",
                "private_address",
                msg::WEBHOOK_PRIVATE,
            )),
        }
    }
    let mut events = input.events.clone();
    events.sort();
    events.dedup();
    if events.is_empty()
        || events.len() != input.events.len()
        || events.iter().any(|e| !SUBSCRIBABLE.contains(e))
    {
        errors.push(FieldError::new(
            "events",
            "invalid_events",
            msg::WEBHOOK_EVENTS,
        ));
    }
    let description = input
        .description
        .map(|d| d.trim().to_owned())
        .filter(|d| !d.is_empty());
    if description
        .as_ref()
        .is_some_and(|d| d.chars().count() > DESCRIPTION_MAX)
    {
        errors.push(FieldError::new(
            "description",
            "too_long",
            msg::at_most_chars(DESCRIPTION_MAX),
        ));
    }
    if !errors.is_empty() {
        return Err(WebhookError::Invalid(errors));
    }
    let row = WebhookRow {
        id: uuid::Uuid::new_v4().to_string(),
        url,
        unit_code: input.unit_code,
        events: super::model::EventTypes(events),
        description,
        secret: new_secret()?,
        created_by: Some(caller.id.clone()),
        created_at: crate::clock::now(),
        deleted_at: None,
        daily_through: None,
    };
    conn.transaction::<_, WebhookError, _>(|conn| {
        queries::insert(conn, &row)?;
        crate::audit::record(
            conn,
            Some(&caller.id),
            crate::audit::AuditAction::WebhookCreate,
            (crate::audit::ObjectKind::Webhook, &row.id),
            Some(&row.unit_code),
            format!("webhook for {} to {}", row.unit_code, row.url),
        )?;
        Ok(())
    })?;
    let secret = row.secret.clone();
    let mut shown = Webhook::from(row);
    shown.secret = Some(secret);
    Ok(shown)
}

/// A live webhook the caller manages.
pub fn managed(conn: &mut DbConn, caller: &AuthUser, id: &str) -> WebhookResult<WebhookRow> {
    require_owner(caller)?;
    let row = queries::find(conn, id)?.ok_or(WebhookError::NotFound)?;
    if !crate::units::in_scope(conn, &caller.scope, &row.unit_code)? {
        return Err(WebhookError::NotFound);
    }
    Ok(row)
}

/// The webhooks the caller manages.
pub fn list(conn: &mut DbConn, caller: &AuthUser) -> WebhookResult<Vec<Webhook>> {
    require_owner(caller)?;
    Ok(queries::list(conn, &caller.scope)?
        .into_iter()
        .map(Webhook::from)
        .collect())
}

/// Deletes a webhook: nothing more is delivered to it.
pub fn delete(conn: &mut DbConn, caller: &AuthUser, id: &str) -> WebhookResult<()> {
    let row = managed(conn, caller, id)?;
    conn.transaction::<_, WebhookError, _>(|conn| {
        queries::delete(conn, &row.id, crate::clock::now())?;
        crate::audit::record(
            conn,
            Some(&caller.id),
            crate::audit::AuditAction::WebhookDelete,
            (crate::audit::ObjectKind::Webhook, &row.id),
            Some(&row.unit_code),
            format!("deleted the webhook to {}", row.url),
        )?;
        Ok(())
    })
}

/// Queues one `ping` event for a webhook.
pub fn ping(conn: &mut DbConn, caller: &AuthUser, id: &str) -> WebhookResult<String> {
    let row = managed(conn, caller, id)?;
    let event_id = uuid::Uuid::now_v7().to_string();
    let now = crate::clock::now();
    let event = crate::outbox::Event {
        kind: EventType::Ping,
        unit_code: row.unit_code.clone(),
        data: serde_json::json!({"webhook_id": row.id}),
    };
    let body = crate::outbox::body(&event_id, &event, now);
    queries::insert_one(conn, &row.id, EventType::Ping, &event_id, &body, now)?;
    Ok(event_id)
}

/// A webhook's delivery log, newest first.
pub fn deliveries(
    conn: &mut DbConn,
    caller: &AuthUser,
    id: &str,
    status: Option<crate::outbox::DeliveryStatus>,
    after: Option<String>,
    limit: i64,
) -> WebhookResult<Vec<(String, Delivery)>> {
    let row = managed(conn, caller, id)?;
    Ok(queries::deliveries(conn, &row.id, status, after, limit)?
        .into_iter()
        .map(|d| (d.id.clone(), Delivery::from(d)))
        .collect())
}
