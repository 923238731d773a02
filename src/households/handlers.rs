//! `/api/v1/households`, `/api/v1/units/{province_code}/digital-family` and
//! `GET /api/v1/sync/households`: wire types and handlers. Dashboard keys never reach them
//! (`AuthUser` refuses keys with 403).

use actix_web::{HttpResponse, get, patch, post, put, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::change;
use super::figures::{self, FigureQuery, Figures, HouseholdsBy};
use super::input::{CreateHousehold, UpdateHousehold};
use super::model::{CloseReason, Definition, Household, Version};
use super::service::{self, Created, HouseholdError, ListQuery};
use super::share::{self, Cursor};
use crate::access::{AuthUser, Reader};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::extract::{ApiJson, ApiQuery};
use crate::messages as msg;
use crate::pagination::{Page, PageParams};
use crate::state::AppState;

impl From<HouseholdError> for ApiError {
    fn from(e: HouseholdError) -> Self {
        match e {
            HouseholdError::NotFound => Self::NotFound(msg::HOUSEHOLD_NOT_FOUND),
            HouseholdError::Forbidden(text) => Self::Forbidden(text),
            HouseholdError::Invalid(errors) => Self::Validation(errors),
            HouseholdError::IdTaken => Self::Conflict(msg::HOUSEHOLD_ID_TAKEN),
            HouseholdError::DuplicateLabel(other) => Self::DuplicateLabel(other),
            HouseholdError::Closed => Self::Conflict(msg::HOUSEHOLD_CLOSED),
            HouseholdError::Database(e) => e.into(),
        }
    }
}

/// A household after a change.
#[derive(Debug, Serialize, ToSchema)]
pub struct HouseholdChange {
    /// The household now.
    #[serde(flatten)]
    pub household: Household,
    /// The change was made on an older version and merged field by field.
    pub merged: bool,
    /// Fields others changed since `base_version` that this change sent again; each kept
    /// the value observed later.
    pub conflicts: Vec<String>,
}

/// Closing a household.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "duplicate", "duplicate_of": "0b7e4c1a-9d2f-4e8b-a1c3-5f6d7e8f9a0b"}))]
pub struct CloseHousehold {
    /// Why.
    pub reason: CloseReason,
    /// The household kept (only with `duplicate`, required then).
    #[schema(format = Uuid)]
    pub duplicate_of: Option<String>,
}

/// Filters of the household list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HouseholdQuery {
    /// One hamlet.
    #[param(example = "00004-1")]
    pub hamlet: Option<String>,
    /// The hamlets of one team.
    pub team: Option<String>,
    /// Digital families (`true`) or not.
    pub digital_family: Option<bool>,
    /// Marked for placement after a split, or not.
    pub needs_placement: Option<bool>,
    /// With no visit on or after this day.
    pub not_visited_since: Option<NaiveDate>,
    /// Label contains (ignoring case).
    #[param(max_length = 32)]
    pub q: Option<String>,
    /// `true`: closed households instead of open ones.
    pub closed: Option<bool>,
    /// Items per page, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Cursor from the previous page.
    pub cursor: Option<String>,
}

/// A household's versions.
#[derive(Debug, Serialize, ToSchema)]
pub struct History {
    /// Oldest first.
    pub items: Vec<Version>,
}

/// Register a household of a hamlet the caller's team holds. The same id with the same
/// content again answers 200 with the household as it is now.
#[utoipa::path(
    tag = "households",
    request_body = CreateHousehold,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Registered", body = Household),
        (status = 200, description = "Already registered from the same content", body = Household),
        (status = 401, description = "No or a bad token"),
        (status = 403, description = "A dashboard key, or no team of the caller holds the hamlet"),
        (status = 404, description = "The hamlet is outside the caller's scope"),
        (status = 409, description = "The id is taken by other content, or the label by an open household (`duplicate_label`, with `duplicate_of`)"),
        (status = 422, description = "Invalid fields")
    )
)]
#[post("/households")]
pub async fn create_household(
    caller: AuthUser,
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<CreateHousehold>,
) -> ApiResult<HttpResponse> {
    let created = state
        .write_records(move |conn| service::create(conn, &caller, body.into()))
        .await?;
    Ok(match created {
        Created::New(h) => HttpResponse::Created().json(h),
        Created::Unchanged(h) => HttpResponse::Ok().json(h),
    })
}

/// One household the caller may read (closed ones too).
#[utoipa::path(
    tag = "households",
    params(("id" = String, Path, description = "Household id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The household", body = Household),
        (status = 401, description = "No or a bad token"),
        (status = 403, description = "A dashboard key"),
        (status = 404, description = "No such household visible to the caller")
    )
)]
#[get("/households/{id}")]
pub async fn get_household(
    caller: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let h = state
        .primary(move |conn| service::get(conn, &caller, &id))
        .await?;
    Ok(HttpResponse::Ok().json(h))
}

/// Change a household. A change made on an older version is merged field by field: a
/// field others changed since keeps the value observed later, and the answer says which.
#[utoipa::path(
    tag = "households",
    params(("id" = String, Path, description = "Household id")),
    request_body = UpdateHousehold,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The household now", body = HouseholdChange),
        (status = 401, description = "No or a bad token"),
        (status = 403, description = "A dashboard key, or the new hamlet is not the caller's"),
        (status = 404, description = "No such household visible to the caller"),
        (status = 409, description = "The household is closed, or the label is taken"),
        (status = 422, description = "Invalid fields, or a `base_version` the server does not have yet")
    )
)]
#[patch("/households/{id}")]
pub async fn update_household(
    caller: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    ApiJson(body): ApiJson<UpdateHousehold>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let done = state
        .write_records(move |conn| change::update(conn, &caller, &id, body.into()))
        .await?;
    Ok(HttpResponse::Ok().json(HouseholdChange {
        household: done.household,
        merged: done.merged,
        conflicts: done.conflicts,
    }))
}

/// Close a household (moved away, demolished, or a duplicate of another): it counts
/// nowhere after and stays readable.
#[utoipa::path(
    tag = "households",
    params(("id" = String, Path, description = "Household id")),
    request_body = CloseHousehold,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The closed household", body = Household),
        (status = 401, description = "No or a bad token"),
        (status = 403, description = "A dashboard key"),
        (status = 404, description = "No such household visible to the caller"),
        (status = 409, description = "Already closed"),
        (status = 422, description = "Invalid fields")
    )
)]
#[post("/households/{id}/close")]
pub async fn close_household(
    caller: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    ApiJson(body): ApiJson<CloseHousehold>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let h = state
        .write_records(move |conn| {
            change::close(conn, &caller, &id, body.reason, body.duplicate_of)
        })
        .await?;
    Ok(HttpResponse::Ok().json(h))
}

/// Every version of a household, oldest first: nothing a phone sent is lost.
#[utoipa::path(
    tag = "households",
    params(("id" = String, Path, description = "Household id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The versions", body = History),
        (status = 401, description = "No or a bad token"),
        (status = 403, description = "A dashboard key"),
        (status = 404, description = "No such household visible to the caller")
    )
)]
#[get("/households/{id}/history")]
pub async fn household_history(
    caller: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let items = state
        .primary(move |conn| service::history(conn, &caller, &id))
        .await?;
    Ok(HttpResponse::Ok().json(History { items }))
}

fn list_cursor(params: &PageParams) -> Result<Option<(String, String)>, ApiError> {
    let Some(text) = params.cursor()?.filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    text.rsplit_once('|')
        .map(|(k, id)| Some((k.to_owned(), id.to_owned())))
        .ok_or_else(|| FieldError::new("cursor", "invalid_cursor", msg::INVALID_CURSOR).into())
}

/// The households the caller may read, in label order: a volunteer's teams' hamlets, a
/// supervisor's scope.
#[utoipa::path(
    tag = "households",
    params(HouseholdQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of households", body = Page<Household>),
        (status = 400, description = "A malformed parameter"),
        (status = 401, description = "No or a bad token"),
        (status = 403, description = "A dashboard key"),
        (status = 404, description = "The hamlet or team is outside the caller's scope")
    )
)]
#[get("/households")]
pub async fn list_households(
    caller: AuthUser,
    state: web::Data<AppState>,
    ApiQuery(query): ApiQuery<HouseholdQuery>,
) -> ApiResult<HttpResponse> {
    let params = PageParams {
        limit: query.limit,
        cursor: query.cursor.clone(),
    };
    let limit = params.limit()?;
    let after = list_cursor(&params)?;
    let wanted = ListQuery {
        hamlet: query.hamlet,
        team: query.team,
        digital_family: query.digital_family,
        needs_placement: query.needs_placement,
        not_visited_since: query.not_visited_since,
        q: query.q,
        closed: query.closed.unwrap_or(false),
    };
    let rows = state
        .primary(move |conn| service::list(conn, &caller, wanted, after, limit + 1))
        .await?;
    let page = Page::from_rows(rows, limit, |h| {
        format!("{}|{}", h.label.to_lowercase(), h.id)
    });
    Ok(HttpResponse::Ok().json(page))
}

/// A province's definition of a digital family and of a digital residential area (the
/// standard one until the province sets its own). Anyone whose scope meets the province.
#[utoipa::path(
    tag = "households",
    params(("province_code" = String, Path, description = "Province code", example = "01")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The definition", body = Definition),
        (status = 401, description = "No or a bad token"),
        (status = 403, description = "A dashboard key"),
        (status = 404, description = "No such province in the caller's scope"),
        (status = 422, description = "Not a province")
    )
)]
#[get("/units/{province_code}/digital-family")]
pub async fn get_definition(
    caller: AuthUser,
    state: web::Data<AppState>,
    province: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let province = province.into_inner();
    let d = state
        .primary(move |conn| service::read_definition(conn, &caller, &province))
        .await?;
    Ok(HttpResponse::Ok().json(d))
}

/// Set a province's definition (admin, or the province's supervisor). It applies at once,
/// to every figure, past days' included. Audited.
#[utoipa::path(
    tag = "households",
    params(("province_code" = String, Path, description = "Province code", example = "01")),
    request_body = Definition,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The definition now", body = Definition),
        (status = 401, description = "No or a bad token"),
        (status = 403, description = "A dashboard key, or a role that may not set it"),
        (status = 404, description = "No such province in the caller's scope"),
        (status = 422, description = "Invalid fields, or not a province")
    )
)]
#[put("/units/{province_code}/digital-family")]
pub async fn put_definition(
    caller: AuthUser,
    state: web::Data<AppState>,
    province: web::Path<String>,
    ApiJson(body): ApiJson<Definition>,
) -> ApiResult<HttpResponse> {
    let province = province.into_inner();
    let d = state
        .write_records(move |conn| service::put_definition(conn, &caller, &province, body))
        .await?;
    Ok(HttpResponse::Ok().json(d))
}

/// Where a phone's pull of its team's households left off.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ShareQuery {
    /// The team.
    pub team_id: String,
    /// `cursor` of the previous answer; absent (or empty) for the first pull.
    #[param(max_length = 200)]
    pub cursor: Option<String>,
}

/// A page of a team's households.
#[derive(Debug, Serialize, ToSchema)]
pub struct SharePage {
    /// Households new or changed since the cursor (all on the first pull), oldest change
    /// first, at most 500.
    #[schema(max_items = 500)]
    pub items: Vec<Household>,
    /// Households that left the team's share (moved, closed, hamlet taken away): drop them.
    #[schema(max_items = 500)]
    pub removed: Vec<String>,
    /// Pass as `cursor` next time.
    pub cursor: String,
    /// `true`: more waits; call again at once with `cursor`.
    pub has_more: bool,
}

/// The open households of a team's hamlets for its phones: all of them on the first call
/// (500 a page), then only changes, and in `removed` those that left the team's share.
#[utoipa::path(
    tag = "sync",
    params(ShareQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of the team's households", body = SharePage),
        (status = 400, description = "`cursor` is not one this server issued"),
        (status = 401, description = "No or a bad token"),
        (status = 403, description = "A dashboard key"),
        (status = 404, description = "No such team visible to the caller")
    )
)]
#[get("/sync/households")]
pub async fn sync_households(
    caller: AuthUser,
    state: web::Data<AppState>,
    ApiQuery(query): ApiQuery<ShareQuery>,
) -> ApiResult<HttpResponse> {
    let since = match query.cursor.as_deref() {
        None | Some("") => Cursor::start(),
        Some(raw) => Cursor::decode(raw).ok_or_else(|| {
            ApiError::BadQuery(FieldError::new(
                "cursor",
                "invalid_cursor",
                msg::INVALID_CURSOR,
            ))
        })?,
    };
    let page = share::next_page(state.primary_pool(), caller, query.team_id, since).await?;
    Ok(HttpResponse::Ok().json(SharePage {
        items: page.items,
        removed: page.removed,
        cursor: page.next.encode(),
        has_more: page.has_more,
    }))
}

/// What `stats/households` is asked.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FiguresQuery {
    /// Province or commune (default: the caller's unit; the country for admins).
    #[param(example = "00004")]
    pub unit: Option<String>,
    /// `hamlet` (a commune's hamlets; the default on a commune) or `unit` (one level down).
    #[param(inline)]
    pub by: Option<HouseholdsBy>,
    /// The day the households stood on, from their history (default today).
    pub as_of: Option<NaiveDate>,
    /// First day of the visits counted (default 29 days before `to`).
    pub from: Option<NaiveDate>,
    /// Last day of the visits counted (default `as_of`).
    pub to: Option<NaiveDate>,
}

/// The Digital Family counted: per hamlet (with whether it is a digital residential area) or
/// per unit (with how many of its hamlets are), as the households stood at the end of
/// `as_of`, with those visited and reached in `from`–`to`. Supervisors and dashboard keys in
/// scope; a volunteer sees the hamlets of their teams. Never an address.
#[utoipa::path(
    tag = "stats",
    params(FiguresQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The figures", body = Figures),
        (status = 401, description = "No or a bad token"),
        (status = 404, description = "`unit` is outside the caller's scope"),
        (status = 422, description = "A day in the future, `from` after `to`, or `by=hamlet` above a commune")
    )
)]
#[get("/stats/households")]
pub async fn household_figures(
    Reader(caller): Reader,
    state: web::Data<AppState>,
    ApiQuery(q): ApiQuery<FiguresQuery>,
) -> ApiResult<HttpResponse> {
    let query = FigureQuery {
        unit: q.unit,
        by: q.by,
        as_of: q.as_of,
        from: q.from,
        to: q.to,
    };
    let answer = state
        .stats(move |conn| figures::figures(conn, &caller, query))
        .await?;
    Ok(HttpResponse::Ok().json(answer))
}

/// Which household to forget, and why.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"household_id": "0b7e4c1a-9d2f-4e8b-a1c3-5f6d7e8f9a0b", "reason": "Yêu cầu của chủ hộ ngày 08/12/2026, phiếu số 3"}))]
pub struct EraseHousehold {
    /// The household.
    #[schema(format = Uuid)]
    pub household_id: String,
    /// Why (the request and its reference): 1–500 characters, kept in the audit log.
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

/// Forget a household's address (in its history too) and replace its label; every count
/// stays. An admin, or a province supervisor in scope. Audited.
#[utoipa::path(
    tag = "privacy",
    request_body = EraseHousehold,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The household after erasure", body = Household),
        (status = 401, description = "No or a bad token"),
        (status = 403, description = "A role other than admin or province supervisor, or a dashboard key"),
        (status = 404, description = "No such household in the caller's scope"),
        (status = 422, description = "Invalid fields")
    )
)]
#[post("/privacy/erase-household")]
pub async fn erase_household(
    caller: AuthUser,
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<EraseHousehold>,
) -> ApiResult<HttpResponse> {
    let h = state
        .write_records(move |conn| {
            super::erase::erase(conn, &caller, &body.household_id, &body.reason)
        })
        .await?;
    Ok(HttpResponse::Ok().json(h))
}
