//! The delivery worker: inside every server process, it sends the outbox's due deliveries,
//! each webhook's oldest first, one at a time per webhook (so events arrive in order), many
//! webhooks at once (so a slow receiver holds up only its own). A delivery is leased before
//! it is sent, so several processes on one PostgreSQL never send the same attempt at once;
//! a lease left by a killed process runs out and the delivery is sent again (at least once).
//! It looks at the outbox every poll, and sooner after a record write in its own process;
//! every few polls it also does its upkeep (`stats.daily`, the cap, the gauges, the log).

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::{Connection, QueryResult};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::model::{DeliveryRow, WebhookRow};
use super::queries::{self, Outcome};
use crate::db::DbError;
use crate::outbox::DeliveryStatus;
use crate::state::AppState;

/// Deliveries looked at per round.
const ROUND: i64 = 100;
/// Shortest time between two looks at the outbox.
const MIN_ROUND: Duration = Duration::from_millis(20);
/// Days a settled delivery stays in the log.
pub const LOG_DAYS: i64 = 30;
/// How long a lease outlives the receiver's timeout.
const LEASE_SLACK: Duration = Duration::from_secs(10);

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
pub fn spawn(state: &Arc<AppState>) {
    tokio::task::spawn_local(run(state.clone()));
}

/// Every this many polls the worker also writes due `stats.daily` events, applies the cap
/// and the retry window to waiting deliveries, and updates the outbox gauges.
const UPKEEP_EVERY: u32 = 10;

async fn run(state: Arc<AppState>) {
    let settings = state.config.webhooks.clone();
    let client = awc::Client::builder()
        .timeout(settings.timeout)
        .disable_redirects()
        .finish();
    let busy: Rc<RefCell<HashSet<String>>> = Rc::default();
    let mut last_upkeep: Option<std::time::Instant> = None;
    loop {
        if last_upkeep.is_none_or(|at| at.elapsed() >= settings.poll * UPKEEP_EVERY) {
            upkeep(&state).await;
            last_upkeep = Some(std::time::Instant::now());
        }
        let started = std::time::Instant::now();
        let now = crate::clock::now();
        let due = state
            .primary(move |conn| Ok::<_, DbError>(queries::due(conn, now, ROUND)?))
            .await;
        let due = match due {
            Ok(due) => due,
            Err(e) => {
                tracing::warn!(error = %e, "webhook outbox unreadable; trying again");
                tokio::time::sleep(settings.poll).await;
                continue;
            }
        };
        for (delivery, hook) in due {
            if busy.borrow().contains(&hook.id) || !claim(&state, &delivery.id).await {
                continue;
            }
            busy.borrow_mut().insert(hook.id.clone());
            let (state, client, busy) = (state.clone(), client.clone(), busy.clone());
            tokio::task::spawn_local(async move {
                let webhook = hook.id.clone();
                drain(&state, &client, delivery, hook).await;
                busy.borrow_mut().remove(&webhook);
            });
        }
        // Until the next poll, or sooner when a record write may have written events, but
        // not sooner than `MIN_ROUND` after the last round: steady writes do not turn the
        // outbox scan into a busy loop.
        let poll = std::pin::pin!(tokio::time::sleep(settings.poll));
        let written = std::pin::pin!(state.records_written.notified());
        futures_util::future::select(poll, written).await;
        tokio::time::sleep(MIN_ROUND.saturating_sub(started.elapsed())).await;
    }
}

/// Until when a lease taken now holds: past the receiver's timeout, with slack.
fn lease_from(state: &AppState, now: NaiveDateTime) -> NaiveDateTime {
    let lease = state.config.webhooks.timeout + LEASE_SLACK;
    now + chrono::TimeDelta::from_std(lease).unwrap_or(chrono::TimeDelta::seconds(60))
}

/// Takes the lease on a delivery for one attempt.
async fn claim(state: &AppState, id: &str) -> bool {
    let now = crate::clock::now();
    let until = lease_from(state, now);
    let id = id.to_owned();
    matches!(
        state
            .primary(move |conn| Ok::<_, DbError>(queries::claim(conn, &id, now, until)?))
            .await,
        Ok(true)
    )
}

/// Sends a webhook's deliveries one after another, from the claimed one, while they are
/// delivered and due: a receiver that keeps up gets events as fast as it answers, not one
/// per poll. Recording an attempt and leasing the next delivery is one transaction, one
/// round trip. A failed attempt ends the run (the rest wait behind it, in order).
async fn drain(state: &AppState, client: &awc::Client, first: DeliveryRow, hook: WebhookRow) {
    let mut next = Some((first, hook));
    while let Some((delivery, hook)) = next.take() {
        let outcome = attempt(state, client, &delivery, &hook).await;
        let delivered = outcome.delivered_at.is_some();
        let (id, webhook) = (delivery.id.clone(), hook.id.clone());
        let now = crate::clock::now();
        let until = lease_from(state, now);
        let recorded = state
            .primary(move |conn| {
                Ok::<_, DbError>(conn.transaction(|conn| {
                    queries::finish(conn, &id, &outcome)?;
                    if !delivered {
                        return Ok(None);
                    }
                    let Some((head, hook)) = queries::head_of(conn, &webhook, now)? else {
                        return Ok(None);
                    };
                    let leased = queries::claim(conn, &head.id, now, until)?;
                    QueryResult::Ok(leased.then_some((head, hook)))
                })?)
            })
            .await;
        match recorded {
            Ok(following) => next = following,
            // The lease runs out and the delivery is sent again: at least once.
            Err(e) => {
                tracing::warn!(error = %e, delivery = %delivery.id, "a webhook attempt could not be recorded");
            }
        }
    }
}

/// The worker's slower chores: due `stats.daily` events, the cap on each webhook's waiting
/// deliveries, the retry window for deliveries that waited behind others, and the gauges.
async fn upkeep(state: &AppState) {
    let settings = state.config.webhooks.clone();
    let done = state
        .primary(move |conn| {
            let now = crate::clock::now();
            super::daily::emit_due(conn, now)?;
            let cap = i64::try_from(settings.max_pending).unwrap_or(i64::MAX);
            let at_cap = format!(
                "dropped unsent: more than {} deliveries were waiting",
                settings.max_pending
            );
            let mut dropped = 0;
            for (webhook, waiting) in queries::over_cap(conn, cap)? {
                dropped += queries::drop_oldest(conn, &webhook, waiting - cap, &at_cap)?;
            }
            let window = chrono::TimeDelta::from_std(settings.give_up_after).unwrap_or_default();
            let too_late = format!(
                "not delivered within {} hours of the event",
                window.num_hours()
            );
            dropped += queries::expire(conn, now - window, &too_late)?;
            queries::prune(conn, now - chrono::TimeDelta::days(LOG_DAYS))?;
            let (depth, oldest) = queries::depth(conn)?;
            Ok::<_, DbError>((
                dropped,
                depth,
                oldest.map_or(0, |o| (now - o).num_seconds()),
            ))
        })
        .await;
    match done {
        Ok((dropped, depth, oldest)) => {
            crate::metrics::webhook_dropped(dropped);
            crate::metrics::webhook_outbox(depth, oldest);
        }
        Err(e) => tracing::warn!(error = %e, "webhook upkeep failed; trying again"),
    }
}

/// Sends one delivery and says how it went: delivered on any 2xx; otherwise retried after
/// the first wait, doubling each time, until `give_up_after` from its event, then `failed`.
async fn attempt(
    state: &AppState,
    client: &awc::Client,
    d: &DeliveryRow,
    hook: &WebhookRow,
) -> Outcome {
    let settings = &state.config.webhooks;
    let sent = send(client, hook, d, settings.allow_private).await;
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
        DeliveryStatus::Delivered
    } else if next > d.created_at + give_up {
        DeliveryStatus::Failed
    } else {
        DeliveryStatus::Pending
    };
    crate::metrics::webhook_attempt(if status == DeliveryStatus::Pending {
        "retried"
    } else {
        status.as_str()
    });
    Outcome {
        status,
        status_code,
        error,
        next_attempt_at: next,
        delivered_at: delivered.then_some(now),
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
        let checked = tokio::task::spawn_blocking(move || super::address::check(&url, false))
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
