//! `/api/v1/certifications`: a commune's figures certified for a month or an ISO week,
//! accepted, returned or reopened by the province.

use actix_web::{HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::model::{Certification, CertificationStatus};
use super::queries::{self, ListFilter};
use super::service::{self, CertificationError, Decision, Submission};
use crate::access::{AuthUser, Reader};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};
use crate::messages as msg;
use crate::pagination::{Page, PageParams, keyset_cursor};
use crate::state::AppState;

/// A commune's figures to certify.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"unit_code": "00004", "period": "2026-11", "note": "Số liệu tháng 11 đã rà soát với các tổ"}))]
pub struct CertifyRequest {
    /// The commune (a commune supervisor's own, or one in a province supervisor's scope).
    pub unit_code: String,
    /// A finished month `YYYY-MM` or ISO week `YYYY-Www`.
    #[schema(pattern = r"^[0-9]{4}-(0[1-9]|1[0-2]|W(0[1-9]|[1-4][0-9]|5[0-3]))$")]
    pub period: String,
    /// Optional note (at most 500 characters).
    pub note: Option<String>,
}

/// The province's note on an accept (optional) or a return (required).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"note": "Đã đối chiếu với báo cáo của xã"}))]
pub struct DecisionRequest {
    /// At most 500 characters; required to return.
    pub note: Option<String>,
}

/// Why an accepted period opens again.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Xã phát hiện 12 lượt thăm hộ nhập trùng"}))]
pub struct ReopenRequest {
    /// 1–500 characters.
    pub reason: String,
}

/// Filters of the list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CertificationQuery {
    /// A commune, or a province (its communes).
    #[param(example = "01")]
    pub unit: Option<String>,
    /// A period, `YYYY-MM` or `YYYY-Www`.
    #[param(
        example = "2026-11",
        pattern = r"^[0-9]{4}-(0[1-9]|1[0-2]|W(0[1-9]|[1-4][0-9]|5[0-3]))$"
    )]
    pub period: Option<String>,
    /// One state.
    pub status: Option<CertificationStatus>,
    /// Items per page, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Cursor from the previous page.
    pub cursor: Option<String>,
}

/// What each refusal of the certifications service means on the wire.
impl From<CertificationError> for ApiError {
    fn from(e: CertificationError) -> Self {
        match e {
            CertificationError::Invalid(errors) => Self::Validation(errors),
            CertificationError::NotFound => Self::NotFound(msg::NOT_FOUND_CERTIFICATION),
            CertificationError::UnitNotFound => Self::NotFound(msg::NOT_FOUND_UNIT),
            CertificationError::NotACertifier => Self::Forbidden(msg::CERTIFIERS_ONLY),
            CertificationError::NotADecider => Self::Forbidden(msg::DECIDERS_ONLY),
            CertificationError::NotAReader => Self::Forbidden(msg::READERS_OF_CERTIFICATIONS),
            CertificationError::Exists => Self::Conflict(msg::CERTIFICATION_EXISTS),
            CertificationError::NotSubmitted => Self::Conflict(msg::NOT_SUBMITTED),
            CertificationError::NotAccepted => Self::Conflict(msg::NOT_ACCEPTED),
            CertificationError::Database(e) => e.into(),
        }
    }
}

/// Certify a commune's figures for a finished month or ISO week: every metric of the commune
/// and period is stored as it stands now, `submitted`, for the province to accept or return.
#[utoipa::path(
    tag = "certifications",
    request_body = CertifyRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Certified, with the snapshot", body = Certification),
        (status = 403, description = "Volunteers do not certify"),
        (status = 404, description = "No such unit in the caller's scope"),
        (status = 409, description = "The commune's period is already submitted or accepted")
    )
)]
#[post("/certifications")]
pub async fn certify(
    caller: AuthUser,
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<CertifyRequest>,
) -> ApiResult<HttpResponse> {
    let input = Submission {
        unit_code: body.unit_code,
        period: body.period,
        note: body.note,
    };
    // Through the write path: on SQLite a transaction that reads (the snapshot) and then
    // writes must be the one writer, or two concurrent ones fail instead of one answering 409.
    let shown = state
        .write_records(move |conn| Ok::<_, ApiError>(service::submit(conn, &caller, input)?))
        .await?;
    Ok(HttpResponse::Created().json(shown))
}

/// Certifications in the caller's scope, newest first (supervisors and dashboard keys): a
/// province sees which of its communes have certified a period, and how it stands.
#[utoipa::path(
    tag = "certifications",
    params(CertificationQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Certifications, newest first", body = Page<Certification>),
        (status = 403, description = "Volunteers do not read certifications"),
        (status = 404, description = "`unit` is outside the caller's scope")
    )
)]
#[get("/certifications")]
pub async fn list_certifications(
    Reader(caller): Reader,
    state: web::Data<AppState>,
    ApiQuery(query): ApiQuery<CertificationQuery>,
) -> ApiResult<HttpResponse> {
    let page = PageParams {
        limit: query.limit,
        cursor: query.cursor,
    };
    let (limit, after) = (page.limit()?, page.keyset()?);
    if !caller.role.is_supervisor() {
        return Err(CertificationError::NotAReader.into());
    }
    if let Some(period) = query.period.as_deref().filter(|p| !p.is_empty())
        && crate::periods::Period::parse(period).is_none()
    {
        return Err(ApiError::field(
            "period",
            "invalid_period",
            msg::INVALID_PERIOD,
        ));
    }
    let filter = ListFilter {
        unit: query.unit.filter(|u| !u.is_empty()),
        period: query.period.filter(|p| !p.is_empty()),
        status: query.status,
    };
    let page = state
        .primary(move |conn| {
            if let Some(unit) = &filter.unit {
                crate::units::require_in_scope(conn, &caller.scope, unit)?;
            }
            let rows = queries::list(conn, &caller.scope, &filter, after, limit + 1)?;
            let page = Page::from_rows(rows, limit, |c| keyset_cursor(c.submitted_at, &c.id));
            Ok::<_, ApiError>(Page {
                items: service::shown(conn, page.items)?,
                next_cursor: page.next_cursor,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One certification, with `live_metrics` (the same metrics now) and `changes_since` (the
/// commune's records of the period created or changed after the snapshot).
#[utoipa::path(
    tag = "certifications",
    params(("id" = String, Path, description = "Certification id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The certification", body = Certification),
        (status = 403, description = "Volunteers do not read certifications"),
        (status = 404, description = "No such certification in the caller's scope")
    )
)]
#[get("/certifications/{id}")]
pub async fn get_certification(
    Reader(caller): Reader,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let shown = state
        .primary(move |conn| Ok::<_, ApiError>(service::detail(conn, &caller, &id)?))
        .await?;
    Ok(HttpResponse::Ok().json(shown))
}

async fn decide(
    caller: AuthUser,
    state: web::Data<AppState>,
    id: String,
    decision: Decision,
    note: Option<String>,
) -> ApiResult<HttpResponse> {
    let shown = state
        .write_records(move |conn| {
            Ok::<_, ApiError>(service::decide(conn, &caller, &id, decision, note)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(shown))
}

/// Accept a submitted certification (a province supervisor in scope, or an admin): the
/// commune's records of the period can no longer be changed, voided or reviewed.
#[utoipa::path(
    tag = "certifications",
    params(("id" = String, Path, description = "Certification id")),
    request_body = DecisionRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Accepted; the period is locked", body = Certification),
        (status = 403, description = "Not a province supervisor or an admin"),
        (status = 404, description = "No such certification in the caller's scope"),
        (status = 409, description = "Not `submitted`")
    )
)]
#[post("/certifications/{id}/accept")]
pub async fn accept_certification(
    caller: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    ApiJson(body): ApiJson<DecisionRequest>,
) -> ApiResult<HttpResponse> {
    decide(caller, state, id.into_inner(), Decision::Accept, body.note).await
}

/// Return a submitted certification with a note (a province supervisor in scope, or an
/// admin): the commune may certify the period again.
#[utoipa::path(
    tag = "certifications",
    params(("id" = String, Path, description = "Certification id")),
    request_body = DecisionRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Returned", body = Certification),
        (status = 403, description = "Not a province supervisor or an admin"),
        (status = 404, description = "No such certification in the caller's scope"),
        (status = 409, description = "Not `submitted`")
    )
)]
#[post("/certifications/{id}/return")]
pub async fn return_certification(
    caller: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    ApiJson(body): ApiJson<DecisionRequest>,
) -> ApiResult<HttpResponse> {
    decide(caller, state, id.into_inner(), Decision::Return, body.note).await
}

/// Reopen an accepted certification with a reason (a province supervisor in scope, or an
/// admin): the period unlocks, and the commune may certify it again.
#[utoipa::path(
    tag = "certifications",
    params(("id" = String, Path, description = "Certification id")),
    request_body = ReopenRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Reopened; the period is unlocked", body = Certification),
        (status = 403, description = "Not a province supervisor or an admin"),
        (status = 404, description = "No such certification in the caller's scope"),
        (status = 409, description = "Not `accepted`")
    )
)]
#[post("/certifications/{id}/reopen")]
pub async fn reopen_certification(
    caller: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    ApiJson(body): ApiJson<ReopenRequest>,
) -> ApiResult<HttpResponse> {
    decide(
        caller,
        state,
        id.into_inner(),
        Decision::Reopen,
        Some(body.reason),
    )
    .await
}
