//! Liveness and readiness probes for load balancers and orchestrators, and `GET /metrics`,
//! the Prometheus registry of [`crate::metrics`].

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Probe answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` or `ready`.
    #[schema(example = "ready")]
    pub status: String,
    /// `sqlite` or `postgres` (readiness only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "sqlite")]
    pub database: Option<String>,
}

/// The process is up (no database access).
#[utoipa::path(tag = "operations", responses((status = 200, description = "Up", body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok".into(),
        database: None,
    })
}

/// The database answers and every migration is applied.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "Ready to serve", body = Health),
        (status = 503, description = "Database unreachable or migrations pending")
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let pending = state
        .primary(|conn| {
            crate::db::migrations_pending(conn)
                .map_err(|e| ApiError::Internal(anyhow::anyhow!("{e}")))
        })
        .await?;
    if pending {
        return Err(ApiError::Unavailable);
    }
    Ok(HttpResponse::Ok().json(Health {
        status: "ready".into(),
        database: Some(state.config.database.backend().into()),
    }))
}

/// Prometheus text format. Unauthenticated, like the probes: expose it to the monitoring
/// network only (docs/DEPLOY.md shows the proxy rule).
#[utoipa::path(
    tag = "operations",
    responses((status = 200, description = "Prometheus text exposition format", body = String, content_type = "text/plain"))
)]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    match crate::metrics::exposition(state.primary_pool().state()) {
        Some(text) => HttpResponse::Ok()
            .content_type("text/plain; version=0.0.4; charset=utf-8")
            .body(text),
        None => HttpResponse::InternalServerError().finish(),
    }
}
