//! The delivery worker: inside every server process, it sends the outbox's due deliveries,
//! each webhook's oldest first, one at a time per webhook (so events arrive in order), many
//! webhooks at once (so a slow receiver holds up only its own). A delivery is leased before
//! it is sent, so several processes on one PostgreSQL never send the same attempt at once;
//! a lease left by a killed process runs out and the delivery is sent again (at least once).

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;
use std::time::Duration;

use actix_web::web;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::model::{DeliveryRow, WebhookRow};
use super::queries::{self, Outcome};
use crate::state::AppState;

/// Deliveries looked at per round.
const ROUND: i64 = 100;
/// How long a lease outlives the receiver's timeout.
const LEASE_SLACK: Duration = Duration::from_secs(30);

/// `HEX` of `Gocua-Signature: t=UNIX,v1=HEX`: HMAC-SHA256 under the secret of
/// `UNIX + "." + body`, lowercase hex.
pub fn sign(secret: &str, unix: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(unix.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Starts the worker on the current actix runtime; it lives as long as the runtime.
pub fn spawn(state: web::Data<AppState>) {
    actix_web::rt::spawn(run(state));
}

async fn run(state: web::Data<AppState>) {
    let settings = state.config.webhooks.clone();
    let client = awc::Client::builder()
        .timeout(settings.timeout)
        .disable_redirects()
        .finish();
    let busy: Rc<RefCell<HashSet<String>>> = Rc::default();
    loop {
        actix_web::rt::time::sleep(settings.poll).await;
        let now = crate::clock::now();
        let due = state
            .primary(move |conn| Ok(queries::due(conn, now, ROUND)?))
            .await;
        let due = match due {
            Ok(due) => due,
            Err(e) => {
                tracing::warn!(error = %e, "webhook outbox unreadable; trying again");
                continue;
            }
        };
        for (delivery, hook) in due {
            if busy.borrow().contains(&hook.id) {
                continue;
            }
            let until = now
                + chrono::TimeDelta::from_std(settings.timeout + LEASE_SLACK)
                    .unwrap_or(chrono::TimeDelta::seconds(60));
            let id = delivery.id.clone();
            let claimed = state
                .primary(move |conn| Ok(queries::claim(conn, &id, now, until)?))
                .await;
            if !matches!(claimed, Ok(true)) {
                continue;
            }
            busy.borrow_mut().insert(hook.id.clone());
            let (state, client, busy) = (state.clone(), client.clone(), busy.clone());
            actix_web::rt::spawn(async move {
                let webhook = hook.id.clone();
                attempt(&state, &client, delivery, hook).await;
                busy.borrow_mut().remove(&webhook);
            });
        }
    }
}

/// Sends one delivery and records how it went: delivered on any 2xx; otherwise retried
/// after the first wait, doubling each time, until `give_up_after` from its event, then
/// `failed`.
async fn attempt(state: &AppState, client: &awc::Client, d: DeliveryRow, hook: WebhookRow) {
    let settings = &state.config.webhooks;
    let sent = send(client, &hook, &d, settings.allow_private).await;
    let now = crate::clock::now();
    let (status_code, error) = match &sent {
        Ok(code) if (200..300).contains(code) => (Some(i32::from(*code)), None),
        Ok(code) => (Some(i32::from(*code)), Some(format!("HTTP {code}"))),
        Err(e) => (None, Some(e.clone())),
    };
    let delivered = error.is_none();
    let doubling = 2u32.saturating_pow(u32::try_from(d.attempts).unwrap_or(u32::MAX).min(20));
    let wait = chrono::TimeDelta::from_std(settings.first_retry.saturating_mul(doubling))
        .unwrap_or(chrono::TimeDelta::days(1));
    let give_up = chrono::TimeDelta::from_std(settings.give_up_after).unwrap_or_default();
    let next = now + wait;
    let status = if delivered {
        "delivered"
    } else if next > d.created_at + give_up {
        "failed"
    } else {
        crate::outbox::PENDING
    };
    crate::metrics::webhook_attempt(status);
    let outcome_id = d.id.clone();
    let recorded = state
        .primary(move |conn| {
            Ok(queries::finish(
                conn,
                &outcome_id,
                &Outcome {
                    status,
                    status_code,
                    error,
                    next_attempt_at: next,
                    delivered_at: delivered.then_some(now),
                },
            )?)
        })
        .await;
    if let Err(e) = recorded {
        // The lease runs out and the delivery is sent again: at least once.
        tracing::warn!(error = %e, delivery = %d.id, "a webhook attempt could not be recorded");
    }
}

async fn send(
    client: &awc::Client,
    hook: &WebhookRow,
    d: &DeliveryRow,
    allow_private: bool,
) -> Result<u16, String> {
    if !allow_private {
        let url = hook.url.clone();
        let checked = web::block(move || super::address::check(&url, false))
            .await
            .map_err(|e| e.to_string())?;
        if let Err(refusal) = checked {
            return Err(format!("receiver refused: {refusal:?}"));
        }
    }
    let unix = chrono::Utc::now().timestamp();
    let signature = sign(&hook.secret, unix, &d.body);
    client
        .post(&hook.url)
        .insert_header(("Content-Type", "application/json"))
        .insert_header(("Gocua-Event-Id", d.event_id.as_str()))
        .insert_header(("Gocua-Event-Type", d.event_type.as_str()))
        .insert_header(("Gocua-Signature", format!("t={unix},v1={signature}")))
        .send_body(d.body.clone())
        .await
        .map(|res| res.status().as_u16())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::sign;

    #[test]
    fn the_signature_is_hmac_sha256_of_the_time_and_the_body() {
        // Computed independently with Python: hmac.new(secret, b"1764547200.{}", "sha256").
        assert_eq!(
            sign("whsec_test", 1_764_547_200, "{}"),
            "2195b8c55d79f665b01276604da4a3e37c46ecd166574c7d46d46841575227ab"
        );
    }
}
