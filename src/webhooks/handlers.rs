//! `/api/v1/webhooks`: dashboards subscribe to a unit's events (an admin, or a province
//! supervisor in scope), test the receiver, read the delivery log, and unsubscribe.

use actix_web::{HttpResponse, delete, get, post, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::model::{Delivery, Webhook};
use super::service::{self, NewWebhook, WebhookError};
use crate::access::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};
use crate::messages as msg;
use crate::outbox::{DeliveryStatus, EventType};
use crate::pagination::{Page, PageParams};
use crate::state::AppState;

/// A new subscription.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"url": "https://dashboard.hanoi.gov.vn/hooks/gocua", "unit_code": "01", "events": ["record.created", "stats.daily"], "description": "Bảng điều khiển chuyển đổi số Hà Nội"}))]
pub struct CreateWebhook {
    /// `https://` or `http://`; not a loopback, private or link-local address.
    pub url: String,
    /// The unit whose events it receives (with everything under it).
    pub unit_code: String,
    /// `record.created`, `record.changed`, `certification.changed`, `stats.daily`; each once.
    pub events: Vec<EventType>,
    /// What it is for (at most 200 characters).
    pub description: Option<String>,
}

/// The event queued by a test.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct PingQueued {
    /// The `ping` event's id.
    pub event_id: String,
}

/// Filters of the delivery log.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// `pending`, `delivered` or `failed`.
    #[param(inline)]
    pub status: Option<DeliveryStatus>,
    /// Items per page, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Cursor from the previous page.
    pub cursor: Option<String>,
}

/// What each refusal of the webhooks service means on the wire.
impl From<WebhookError> for ApiError {
    fn from(e: WebhookError) -> Self {
        match e {
            WebhookError::Invalid(errors) => Self::Validation(errors),
            WebhookError::NotAnOwner => Self::Forbidden(msg::WEBHOOK_OWNERS_ONLY),
            WebhookError::NotFound => Self::NotFound(msg::NOT_FOUND_WEBHOOK),
            WebhookError::UnitNotFound => Self::NotFound(msg::NOT_FOUND_UNIT),
            WebhookError::Database(e) => e.into(),
        }
    }
}

/// Subscribe a receiver to the events of a unit. The answer holds `secret`, shown only here:
/// the receiver checks each delivery's `Gocua-Signature` with it.
#[utoipa::path(
    tag = "webhooks",
    request_body = CreateWebhook,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Subscribed; `secret` is shown this once", body = Webhook),
        (status = 403, description = "Not an admin or a province supervisor"),
        (status = 404, description = "No such unit in the caller's scope")
    )
)]
#[post("/webhooks")]
pub async fn create_webhook(
    caller: AuthUser,
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<CreateWebhook>,
) -> ApiResult<HttpResponse> {
    let allow_private = state.config.webhooks.allow_private;
    let input = NewWebhook {
        url: body.url,
        unit_code: body.unit_code,
        events: body.events,
        description: body.description,
    };
    let shown = state
        .primary(move |conn| {
            Ok::<_, ApiError>(service::create(conn, &caller, input, allow_private)?)
        })
        .await?;
    Ok(HttpResponse::Created().json(shown))
}

/// The webhooks of units in the caller's scope, newest first (never their secrets).
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Webhooks", body = Page<Webhook>),
        (status = 403, description = "Not an admin or a province supervisor")
    )
)]
#[get("/webhooks")]
pub async fn list_webhooks(
    caller: AuthUser,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let items = state
        .primary(move |conn| Ok::<_, ApiError>(service::list(conn, &caller)?))
        .await?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        next_cursor: None,
    }))
}

/// One webhook (never its secret).
#[utoipa::path(
    tag = "webhooks",
    params(("id" = String, Path, description = "Webhook id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The webhook", body = Webhook),
        (status = 403, description = "Not an admin or a province supervisor"),
        (status = 404, description = "No such webhook in the caller's scope")
    )
)]
#[get("/webhooks/{id}")]
pub async fn get_webhook(
    caller: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let row = state
        .primary(move |conn| Ok::<_, ApiError>(service::managed(conn, &caller, &id)?))
        .await?;
    Ok(HttpResponse::Ok().json(Webhook::from(row)))
}

/// Delete a webhook: nothing more is delivered to it, pending deliveries included.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = String, Path, description = "Webhook id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not an admin or a province supervisor"),
        (status = 404, description = "No such webhook in the caller's scope")
    )
)]
#[delete("/webhooks/{id}")]
pub async fn delete_webhook(
    caller: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    state
        .primary(move |conn| Ok::<_, ApiError>(service::delete(conn, &caller, &id)?))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Send one `ping` event to the receiver, through the outbox like any event.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = String, Path, description = "Webhook id")),
    security(("bearer" = [])),
    responses(
        (status = 202, description = "Queued", body = PingQueued),
        (status = 403, description = "Not an admin or a province supervisor"),
        (status = 404, description = "No such webhook in the caller's scope")
    )
)]
#[post("/webhooks/{id}/test")]
pub async fn test_webhook(
    caller: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let event_id = state
        .primary(move |conn| Ok::<_, ApiError>(service::ping(conn, &caller, &id)?))
        .await?;
    Ok(HttpResponse::Accepted().json(PingQueued { event_id }))
}

/// A webhook's deliveries, newest first, with their attempts, last answer and next retry.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = String, Path, description = "Webhook id"), DeliveryQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Deliveries, newest first", body = Page<Delivery>),
        (status = 403, description = "Not an admin or a province supervisor"),
        (status = 404, description = "No such webhook in the caller's scope")
    )
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_deliveries(
    caller: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    ApiQuery(query): ApiQuery<DeliveryQuery>,
) -> ApiResult<HttpResponse> {
    let page = PageParams {
        limit: query.limit,
        cursor: query.cursor,
    };
    let (limit, after) = (page.limit()?, page.cursor()?);
    let status = query.status;
    let id = id.into_inner();
    let rows = state
        .primary(move |conn| {
            Ok::<_, ApiError>(service::deliveries(
                conn,
                &caller,
                &id,
                status,
                after,
                limit + 1,
            )?)
        })
        .await?;
    let page = Page::from_rows(rows, limit, |(id, _)| id.clone()).map(|(_, d)| d);
    Ok(HttpResponse::Ok().json(page))
}
