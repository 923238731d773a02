//! `/api/v1/api-keys`: supervisors and admins issue, list and revoke dashboard keys.

use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::ApiKeyRow;
use super::queries;
use super::service::{self, ApiKeyError};
use crate::access::{AuthUser, Role};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};
use crate::messages as msg;
use crate::pagination::{Page, PageParams, keyset_cursor};
use crate::state::AppState;

impl From<ApiKeyError> for ApiError {
    fn from(e: ApiKeyError) -> Self {
        match e {
            ApiKeyError::Invalid(errors) => Self::Validation(errors),
            ApiKeyError::UnitNotInScope => Self::NotFound(msg::NOT_FOUND_UNIT),
            ApiKeyError::NotFound => Self::NotFound(msg::NOT_FOUND_API_KEY),
            ApiKeyError::Random(e) => Self::Internal(e),
            ApiKeyError::Database(e) => e.into(),
        }
    }
}

/// A new key.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Bảng điều khiển Sở TT&TT Hà Nội", "unit_code": "01"}))]
pub struct CreateApiKey {
    /// What it is for (1–100 characters).
    pub name: String,
    /// The province or commune it reads.
    pub unit_code: String,
}

/// A key, as listed (never the key itself).
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKey {
    /// Key id (for revoking).
    pub id: String,
    /// What it is for.
    pub name: String,
    /// The unit it reads.
    pub unit_code: String,
    /// Creation instant.
    pub created_at: DateTime<Utc>,
    /// Last use (to the minute).
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<ApiKeyRow> for ApiKey {
    fn from(r: ApiKeyRow) -> Self {
        Self {
            id: r.id,
            name: r.name,
            unit_code: r.unit_code,
            created_at: r.created_at.and_utc(),
            last_used_at: r.last_used_at.map(|t| t.and_utc()),
            revoked_at: r.revoked_at.map(|t| t.and_utc()),
        }
    }
}

/// A new key, with the key itself: shown this once only.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiKey {
    /// Key id.
    pub id: String,
    /// What it is for.
    pub name: String,
    /// The unit it reads.
    pub unit_code: String,
    /// Send as `Authorization: Bearer <key>`. Not retrievable later.
    #[schema(example = "gck_Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFy")]
    pub key: String,
    /// Creation instant.
    pub created_at: DateTime<Utc>,
}

/// Pages of the key list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KeyQuery {
    /// Items per page, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Cursor from the previous page.
    pub cursor: Option<String>,
}

fn require_key_manager(caller: &AuthUser) -> ApiResult<()> {
    if caller.role >= Role::CommuneSupervisor {
        Ok(())
    } else {
        Err(ApiError::Forbidden(msg::KEY_MANAGERS_ONLY))
    }
}

/// Issue a read-only dashboard key for a unit in the caller's scope.
#[utoipa::path(
    tag = "api-keys",
    request_body = CreateApiKey,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The key, shown once", body = CreatedApiKey),
        (status = 403, description = "Only supervisors and admins"),
        (status = 404, description = "The unit is outside the caller's scope")
    )
)]
#[post("/api-keys")]
pub async fn create_key(
    caller: AuthUser,
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<CreateApiKey>,
) -> ApiResult<HttpResponse> {
    require_key_manager(&caller)?;
    let (row, key) = state
        .primary(move |conn| service::issue(conn, &caller, &body.name, &body.unit_code))
        .await?;
    let created = CreatedApiKey {
        id: row.id,
        name: row.name,
        unit_code: row.unit_code,
        key,
        created_at: row.created_at.and_utc(),
    };
    Ok(HttpResponse::Created()
        .insert_header(crate::caching::no_store())
        .json(created))
}

/// Dashboard keys of units in the caller's scope, newest first (never the keys themselves).
#[utoipa::path(
    tag = "api-keys",
    params(KeyQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Keys", body = Page<ApiKey>),
        (status = 403, description = "Only supervisors and admins")
    )
)]
#[get("/api-keys")]
pub async fn list_keys(
    caller: AuthUser,
    state: web::Data<AppState>,
    ApiQuery(q): ApiQuery<KeyQuery>,
) -> ApiResult<HttpResponse> {
    require_key_manager(&caller)?;
    let page = PageParams {
        limit: q.limit,
        cursor: q.cursor,
    };
    let (limit, after) = (page.limit()?, page.keyset()?);
    let rows = state
        .primary(move |conn| {
            Ok::<_, ApiError>(queries::list(conn, &caller.scope, after, limit + 1)?)
        })
        .await?;
    let page =
        Page::from_rows(rows, limit, |k| keyset_cursor(k.created_at, &k.id)).map(ApiKey::from);
    Ok(HttpResponse::Ok().json(page))
}

/// Revoke a key: it stops working at once. Revoking a revoked key is fine.
#[utoipa::path(
    tag = "api-keys",
    params(("id" = String, Path, description = "Key id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Revoked"),
        (status = 403, description = "Only supervisors and admins"),
        (status = 404, description = "No such key in the caller's scope")
    )
)]
#[delete("/api-keys/{id}")]
pub async fn revoke_key(
    caller: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    require_key_manager(&caller)?;
    let id = id.into_inner();
    state
        .primary(move |conn| service::revoke(conn, &caller, &id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
