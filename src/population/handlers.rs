//! `GET` and `PUT /api/v1/units/{code}/population`. The figures are public reference data
//! like the map: every signed-in caller reads them, whatever their scope; only admins and
//! province supervisors set them.

use actix_web::{HttpResponse, get, put, web};

use super::model::{Population, PopulationInput};
use super::service;
use crate::access::roles::Role;
use crate::access::{AuthUser, Reader};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::messages as msg;
use crate::state::AppState;
use crate::units::queries;

/// A unit's population figures: its own latest, or the sum of its communes' latest
/// (`derived`). Reference data like the map: every signed-in caller and dashboard key reads
/// them.
#[utoipa::path(
    tag = "units",
    params(("code" = String, Path, description = "Unit code", example = "00004")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The figures the unit goes by", body = Population),
        (status = 404, description = "No such unit, or no figures for it or its communes")
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
            service::effective(conn, &code)?.ok_or(ApiError::NotFound(msg::NOT_FOUND_POPULATION))
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
        (status = 403, description = "Not an admin or the unit's province supervisor"),
        (status = 404, description = "No such unit"),
        (status = 422, description = "Figures out of range or inconsistent (`adults` ≤ `aged_15_plus` ≤ `residents`, `households` ≤ `residents`)")
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
            service::check(&body).map_err(ApiError::Validation)?;
            Ok(service::set(conn, &caller.id, &code, &body)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(figures))
}
