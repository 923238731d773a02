//! `/api/v1/campaigns`: supervisors create campaigns for a unit in their scope and set
//! targets for it or units under it; everyone inside a campaign's unit can read it.

use actix_web::{HttpResponse, get, post, put, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::model::Campaign;
use super::progress::{Progress, ProgressBy, ProgressQuery};
use super::queries;
use super::service::{self, CampaignDraft, CampaignError, TargetDraft};
use crate::access::{AuthUser, Reader};
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Checked};
use crate::messages as msg;
use crate::pagination::{Page, PageParams, keyset_cursor};
use crate::population::PopulationBase;
use crate::state::AppState;
use crate::stats::model::Metric;

/// A new campaign.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "100 ngày bình dân học vụ số", "unit_code": "01", "starts_on": "2026-03-01", "ends_on": "2026-06-08"}))]
pub struct CreateCampaign {
    /// Name (1–200 characters).
    pub name: String,
    /// The province or commune it covers.
    pub unit_code: String,
    /// First day (local).
    pub starts_on: NaiveDate,
    /// Last day (local, inclusive; at most 366 days after the first).
    pub ends_on: NaiveDate,
}

/// One target: a count (`target`), or a share of a population figure of the unit
/// (`percent` of `of`), whose count follows the unit's current figures.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"unit_code": "00004", "metric": "households_guided", "percent": 40.0, "of": "households"}))]
pub struct TargetInput {
    /// The campaign's unit or a unit under it.
    pub unit_code: String,
    /// A metric of the contract.
    #[schema(value_type = Metric)]
    pub metric: Checked<Metric>,
    /// The number to reach by the last day (0–1,000,000,000); or else `percent` and `of`.
    #[schema(example = 200)]
    pub target: Option<i64>,
    /// The share to reach, `0 < percent ≤ 100`, of the unit's figure `of`.
    #[schema(example = 40.0)]
    pub percent: Option<f64>,
    /// Which population figure `percent` is a share of.
    #[schema(value_type = Option<PopulationBase>)]
    pub of: Option<Checked<PopulationBase>>,
}

/// Target `i` as the service takes it: a `metric` or `of` that is not one of the choices
/// is left out, with the reason.
fn draft_of((i, t): (usize, TargetInput)) -> TargetDraft {
    let mut refused = Vec::new();
    let of =
        t.of.and_then(|of| of.take(&format!("[{i}].of"), &mut refused));
    let metric = t.metric.take(&format!("[{i}].metric"), &mut refused);
    TargetDraft {
        unit_code: t.unit_code,
        metric,
        target: t.target,
        percent: t.percent,
        of,
        refused,
    }
}

impl From<CampaignError> for ApiError {
    fn from(e: CampaignError) -> Self {
        match e {
            CampaignError::Invalid(errors) => Self::Validation(errors),
            CampaignError::UnitNotInScope => Self::NotFound(msg::NOT_FOUND_UNIT),
            CampaignError::NotATargetSetter => Self::Forbidden(msg::TARGET_SETTERS_ONLY),
            CampaignError::Database(e) => e.into(),
        }
    }
}

/// Filters of the campaign list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CampaignQuery {
    /// Campaigns of this unit or of units under it.
    #[param(example = "01")]
    pub unit: Option<String>,
    /// Only campaigns running on this local day.
    #[param(value_type = Option<String>, format = Date)]
    pub open_on: Option<NaiveDate>,
    /// Items per page, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Cursor from the previous page.
    pub cursor: Option<String>,
}

/// Whether the caller may see a campaign of `unit`: it is in their scope, or it is the
/// province their commune belongs to.
fn visible(conn: &mut DbConn, caller: &AuthUser, unit: &str) -> ApiResult<bool> {
    if crate::units::in_scope(conn, &caller.scope, unit)? {
        return Ok(true);
    }
    let Some(own) = &caller.unit_code else {
        return Ok(false);
    };
    Ok(crate::units::queries::find(conn, own)?
        .and_then(|u| u.parent_code)
        .as_deref()
        == Some(unit))
}

/// Loads a campaign the caller may read, with its targets; 404 otherwise.
pub fn readable(conn: &mut DbConn, caller: &AuthUser, id: &str) -> ApiResult<Campaign> {
    let row =
        queries::find(conn, id)?.ok_or_else(|| ApiError::NotFound(msg::NOT_FOUND_CAMPAIGN))?;
    if !visible(conn, caller, &row.unit_code)? {
        return Err(ApiError::NotFound(msg::NOT_FOUND_CAMPAIGN));
    }
    Ok(super::service::with_targets(conn, row)?)
}

/// Create a campaign for a unit in the caller's scope.
#[utoipa::path(
    tag = "campaigns",
    request_body = CreateCampaign,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Campaign),
        (status = 403, description = "Volunteers may not create campaigns"),
        (status = 404, description = "The unit is outside the caller's scope")
    )
)]
#[post("/campaigns")]
pub async fn create_campaign(
    caller: AuthUser,
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<CreateCampaign>,
) -> ApiResult<HttpResponse> {
    caller.require_supervisor()?;
    let draft = CampaignDraft {
        name: body.name,
        unit_code: body.unit_code,
        starts_on: body.starts_on,
        ends_on: body.ends_on,
    };
    let campaign = state
        .primary(move |conn| service::create(conn, &caller, draft))
        .await?;
    Ok(HttpResponse::Created().json(campaign))
}

/// Campaigns the caller can see, newest first: those of units in their scope, and those
/// of the province their commune belongs to.
#[utoipa::path(
    tag = "campaigns",
    params(CampaignQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Campaigns, newest first", body = Page<Campaign>),
        (status = 404, description = "`unit` is not visible to the caller")
    )
)]
#[get("/campaigns")]
pub async fn list_campaigns(
    Reader(caller): Reader,
    state: web::Data<AppState>,
    ApiQuery(query): ApiQuery<CampaignQuery>,
) -> ApiResult<HttpResponse> {
    let page = PageParams {
        limit: query.limit,
        cursor: query.cursor,
    };
    let (limit, after) = (page.limit()?, page.keyset()?);
    let campaigns = state
        .primary(move |conn| {
            let unit = query.unit.filter(|u| !u.is_empty());
            if let Some(unit) = &unit
                && !visible(conn, &caller, unit)?
            {
                return Err(ApiError::NotFound(msg::NOT_FOUND_UNIT));
            }
            let rows = queries::list(
                conn,
                &caller.scope,
                caller.unit_code.as_deref(),
                unit.as_deref(),
                query.open_on,
                after,
                limit + 1,
            )?;
            let page = Page::from_rows(rows, limit, |c| keyset_cursor(c.created_at, &c.id));
            let mut items = Vec::with_capacity(page.items.len());
            for row in page.items {
                items.push(super::service::with_targets(conn, row)?);
            }
            Ok(Page {
                items,
                next_cursor: page.next_cursor,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(campaigns))
}

/// One campaign with its targets.
#[utoipa::path(
    tag = "campaigns",
    params(("id" = String, Path, description = "Campaign id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The campaign", body = Campaign),
        (status = 404, description = "No such campaign visible to the caller")
    )
)]
#[get("/campaigns/{id}")]
pub async fn get_campaign(
    Reader(caller): Reader,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let campaign = state
        .primary(move |conn| readable(conn, &caller, &id))
        .await?;
    Ok(HttpResponse::Ok().json(campaign))
}

/// Set the campaign's targets (replacing the previous ones): for its unit or units under
/// it, one per unit and metric.
#[utoipa::path(
    tag = "campaigns",
    params(("id" = String, Path, description = "Campaign id")),
    request_body = Vec<TargetInput>,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The campaign with its new targets", body = Campaign),
        (status = 403, description = "Not a supervisor of the campaign's unit"),
        (status = 404, description = "No such campaign visible to the caller")
    )
)]
#[put("/campaigns/{id}/targets")]
pub async fn put_targets(
    caller: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    ApiJson(body): ApiJson<Vec<TargetInput>>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let drafts = body.into_iter().enumerate().map(draft_of).collect();
    let campaign = state
        .primary(move |conn| {
            let campaign = readable(conn, &caller, &id)?;
            service::set_targets(conn, &caller, &campaign, drafts)?;
            readable(conn, &caller, &campaign.id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(campaign))
}

/// Actual against target per unit and metric, for the units of the campaign in the caller's
/// scope: the campaign's unit and each commune under it (a province target still shows
/// every commune's actual). Status rule: `ahead` when actual ≥ 110% of `expected_by_now`,
/// `behind` under 90%, otherwise `on_track`.
#[utoipa::path(
    tag = "campaigns",
    params(("id" = String, Path, description = "Campaign id"), ProgressQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Progress rows", body = Progress),
        (status = 404, description = "No such campaign visible to the caller")
    )
)]
#[get("/campaigns/{id}/progress")]
pub async fn progress(
    Reader(caller): Reader,
    state: web::Data<AppState>,
    id: web::Path<String>,
    ApiQuery(q): ApiQuery<ProgressQuery>,
) -> ApiResult<HttpResponse> {
    let (None | Some(ProgressBy::Unit)) = q.by;
    let id = id.into_inner();
    let answer = state
        .stats(move |conn| {
            let campaign = readable(conn, &caller, &id)?;
            Ok::<_, ApiError>(super::progress::of(conn, &caller, campaign)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(answer))
}
