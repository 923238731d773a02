//! `GET /api/v1/units`, `GET /api/v1/units/{code}` and a unit's population figures. The
//! map and the figures are public reference data: every signed-in caller reads all of
//! them, whatever their scope; only admins and province supervisors set figures.

use actix_web::{HttpResponse, get, put, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::model::{Population, PopulationInput, Unit, UnitKind};
use super::population;
use super::queries::{self, UnitFilter};
use crate::access::roles::Role;
use crate::access::{AuthUser, Reader};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};
use crate::messages as msg;
use crate::pagination::{Page, PageParams};
use crate::state::AppState;

/// Filters of the unit list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitQuery {
    /// Only units directly under this one (a province's communes).
    #[param(example = "01")]
    pub parent: Option<String>,
    /// Only units of this kind.
    pub kind: Option<UnitKind>,
    /// Name contains this text, with or without diacritics (`ba dinh` finds `Phường Ba Đình`).
    #[param(example = "ba dinh")]
    pub q: Option<String>,
    /// Items per page, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Cursor from the previous page.
    pub cursor: Option<String>,
}

/// List administrative units, in code order.
#[utoipa::path(
    tag = "units",
    params(UnitQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "Units in code order", body = Page<Unit>))
)]
#[get("/units")]
pub async fn list_units(
    Reader(_caller): Reader,
    state: web::Data<AppState>,
    ApiQuery(query): ApiQuery<UnitQuery>,
) -> ApiResult<HttpResponse> {
    let page = PageParams {
        limit: query.limit,
        cursor: query.cursor,
    };
    let (limit, after) = (page.limit()?, page.cursor()?);
    let filter = UnitFilter {
        parent: query.parent.filter(|p| !p.is_empty()),
        kind: query.kind,
        q: query
            .q
            .map(|q| crate::text::fold(&q))
            .filter(|q| !q.is_empty()),
    };
    let rows = state
        .primary(move |conn| {
            Ok::<_, ApiError>(queries::list(conn, &filter, after.as_deref(), limit + 1)?)
        })
        .await?;
    let page = Page::from_rows(rows, limit, |u| u.code.clone()).map(Unit::from);
    Ok(HttpResponse::Ok().json(page))
}

/// One administrative unit.
#[utoipa::path(
    tag = "units",
    params(("code" = String, Path, description = "Unit code", example = "00004")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The unit", body = Unit),
        (status = 404, description = "No such unit", body = crate::error::Problem, content_type = "application/problem+json")
    )
)]
#[get("/units/{code}")]
pub async fn get_unit(
    Reader(_caller): Reader,
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let code = code.into_inner();
    let row = state
        .primary(move |conn| Ok::<_, ApiError>(queries::find(conn, &code)?))
        .await?;
    let unit = row
        .map(Unit::from)
        .ok_or_else(|| ApiError::NotFound(msg::NOT_FOUND_UNIT))?;
    Ok(HttpResponse::Ok().json(unit))
}

/// A unit's population figures: its own latest, or the sum of its communes' latest
/// (`derived`). Reference data like the map: every signed-in caller and dashboard key reads
/// them.
#[utoipa::path(
    tag = "units",
    params(("code" = String, Path, description = "Unit code", example = "00004")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The figures the unit goes by", body = Population),
        (status = 404, description = "No such unit, or no figures for it or its communes", body = crate::error::Problem, content_type = "application/problem+json")
    )
)]
#[get("/units/{code}/population")]
pub async fn get_population(
    Reader(_caller): Reader,
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let code = code.into_inner();
    let figures = state
        .primary(move |conn| {
            if queries::find(conn, &code)?.is_none() {
                return Err(ApiError::NotFound(msg::NOT_FOUND_UNIT));
            }
            population::effective(conn, &code)?.ok_or(ApiError::NotFound(msg::NOT_FOUND_POPULATION))
        })
        .await?;
    Ok(HttpResponse::Ok().json(figures))
}

/// Set a unit's population figures for a reference year (replacing those of that year). An
/// admin, or a province supervisor for the province and its communes. Audited.
#[utoipa::path(
    tag = "units",
    params(("code" = String, Path, description = "Unit code", example = "00004")),
    request_body = PopulationInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The figures the unit now goes by", body = Population),
        (status = 403, description = "Not an admin or the unit's province supervisor", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such unit", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Figures out of range or inconsistent (`adults` ≤ `aged_15_plus` ≤ `residents`, `households` ≤ `residents`)", body = crate::error::Problem, content_type = "application/problem+json")
    )
)]
#[put("/units/{code}/population")]
pub async fn put_population(
    caller: AuthUser,
    state: web::Data<AppState>,
    code: web::Path<String>,
    ApiJson(body): ApiJson<PopulationInput>,
) -> ApiResult<HttpResponse> {
    let code = code.into_inner();
    let figures = state
        .primary(move |conn| {
            let unit =
                queries::find(conn, &code)?.ok_or(ApiError::NotFound(msg::NOT_FOUND_UNIT))?;
            let allowed = match caller.role {
                Role::Admin => true,
                Role::ProvinceSupervisor => caller
                    .scope
                    .contains(Some(&unit.code), unit.parent_code.as_deref()),
                _ => false,
            };
            if !allowed {
                return Err(ApiError::Forbidden(msg::POPULATION_SETTERS_ONLY));
            }
            population::check(&body).map_err(ApiError::Validation)?;
            Ok(population::set(conn, &caller.id, &code, &body)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(figures))
}
