//! `GET /api/v1/meta`: lets a phone app check it talks to a gocua server, which version,
//! with which limits, and whether its own clock is wrong.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::state::AppState;

/// Most records in one `POST /api/v1/sync`.
pub const SYNC_BATCH_MAX: usize = 1000;

/// Limits a client must respect.
#[derive(Debug, Serialize, ToSchema)]
pub struct Limits {
    /// Most records in one sync batch.
    #[schema(example = 1000)]
    pub sync_batch_max: usize,
    /// How many days old a record's `occurred_at` may be when it arrives.
    #[schema(example = 60)]
    pub late_sync_days: i64,
    /// Largest request body, in bytes.
    #[schema(example = 2097152)]
    pub max_body_bytes: usize,
    /// Largest `limit` of a list.
    #[schema(example = 500)]
    pub page_size_max: i64,
}

/// Who and what this server is.
#[derive(Debug, Serialize, ToSchema)]
pub struct Meta {
    /// Always `gocua`.
    #[schema(example = "gocua")]
    pub service: String,
    /// Version of the API contract.
    #[schema(example = "v1")]
    pub api_version: String,
    /// Version of the server build.
    #[schema(example = "0.1.0")]
    pub server_version: String,
    /// The server's clock: a phone whose clock differs by minutes should warn its user.
    pub server_time: DateTime<Utc>,
    /// Limits.
    pub limits: Limits,
}

/// Server identity, version, limits and clock (no sign-in needed).
#[utoipa::path(tag = "sync", responses((status = 200, description = "About this server", body = Meta)))]
#[get("/meta")]
pub async fn meta(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(Meta {
        service: "gocua".into(),
        api_version: "v1".into(),
        server_version: env!("CARGO_PKG_VERSION").into(),
        server_time: Utc::now(),
        limits: Limits {
            sync_batch_max: SYNC_BATCH_MAX,
            late_sync_days: state.config.late_sync_window.num_days(),
            max_body_bytes: state.config.max_body_bytes,
            page_size_max: crate::pagination::MAX_LIMIT,
        },
    })
}
