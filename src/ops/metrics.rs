//! `GET /metrics`: the Prometheus registry of `crate::metrics`, served like the probes.

use actix_web::{HttpResponse, get, web};

use crate::state::AppState;

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
