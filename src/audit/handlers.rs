//! `GET /api/v1/audit`: supervisors read who did what in their scope.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{AuditAction, AuditFilter, EntryRow, ObjectKind};
use crate::access::{AuthUser, Role};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::messages as msg;
use crate::pagination::{Page, PageParams, keyset_cursor};
use crate::state::AppState;

/// One audited action.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "b1c2d3e4-0000-4000-8000-000000000001", "at": "2026-03-14T02:31:00Z", "actor_id": "0f8fad5b-d9cb-469f-a165-70867728950e", "action": "record.review", "object_kind": "visit", "object_id": "3f1c2b8e-6a53-4b7e-9d62-0c1e5a7f9b10", "unit_code": "00004", "summary": "pending -> approved"}))]
pub struct AuditEntry {
    /// Entry id.
    pub id: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Who; `null` for the command line.
    pub actor_id: Option<String>,
    /// What was done.
    pub action: AuditAction,
    /// Kind of object.
    pub object_kind: ObjectKind,
    /// Object id.
    pub object_id: String,
    /// The object's unit.
    pub unit_code: Option<String>,
    /// Short change summary (never citizen data).
    pub summary: String,
}

impl From<EntryRow> for AuditEntry {
    fn from(r: EntryRow) -> Self {
        Self {
            id: r.id,
            at: r.at.and_utc(),
            actor_id: r.actor_id,
            action: r.action,
            object_kind: r.object_kind,
            object_id: r.object_id,
            unit_code: r.unit_code,
            summary: r.summary,
        }
    }
}

/// Filters of the audit log.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Entries of this unit or units under it.
    pub unit: Option<String>,
    /// Entries by this user.
    pub actor: Option<String>,
    /// First local day, inclusive.
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<NaiveDate>,
    /// Last local day, inclusive.
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<NaiveDate>,
    /// Items per page, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Cursor from the previous page.
    pub cursor: Option<String>,
}

/// Who created, changed, reviewed, voided or exported what, logins and user changes,
/// newest first. Supervisors see the entries of their scope; admins everything.
#[utoipa::path(
    tag = "audit",
    params(AuditQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Entries, newest first", body = Page<AuditEntry>),
        (status = 403, description = "Volunteers may not read the audit log"),
        (status = 404, description = "`unit` is outside the caller's scope")
    )
)]
#[get("/audit")]
pub async fn list_audit(
    caller: AuthUser,
    state: web::Data<AppState>,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<HttpResponse> {
    caller.require_supervisor()?;
    let page = PageParams {
        limit: q.limit,
        cursor: q.cursor,
    };
    let (limit, after) = (page.limit()?, page.keyset()?);
    if let (Some(from), Some(to)) = (q.from, q.to)
        && from > to
    {
        return Err(ApiError::field("to", "before_from", msg::BEFORE_FROM));
    }
    let rows = state
        .primary(move |conn| {
            let unit = q.unit.filter(|u| !u.is_empty());
            if let Some(unit) = &unit {
                let parent = super::unit_parent(conn, unit)?;
                if !parent.is_some_and(|p| caller.scope.contains(Some(unit), p.as_deref())) {
                    return Err(ApiError::NotFound(msg::NOT_FOUND_UNIT));
                }
            }
            let filter = AuditFilter {
                scope: (caller.role != Role::Admin).then(|| caller.scope.clone()),
                unit,
                actor: q.actor,
                from: q.from.map(crate::clock::day_start),
                until: q
                    .to
                    .map(|d| crate::clock::day_start(d + TimeDelta::days(1))),
            };
            Ok::<_, ApiError>(super::list(conn, &filter, after, limit + 1)?)
        })
        .await?;
    let page = Page::from_rows(rows, limit, |e| keyset_cursor(e.at, &e.id)).map(AuditEntry::from);
    Ok(HttpResponse::Ok().json(page))
}
