//! `GET` and `PUT /api/v1/units/{code}/population`. The figures are public reference data
//! like the map: every signed-in caller reads them, whatever their scope; admins and
//! province supervisors set them, and a commune's supervisor those of its hamlets.

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

/// Where figures of `code` belong: the unit scope is checked on and its parent (a hamlet
/// answers for its commune), and whether it is a hamlet; `None` for an unknown code.
fn place(
    conn: &mut crate::db::DbConn,
    code: &str,
) -> diesel::QueryResult<Option<(String, Option<String>, bool)>> {
    if let Some(unit) = queries::find(conn, code)? {
        return Ok(Some((unit.code, unit.parent_code, false)));
    }
    let Some(hamlet) = crate::units::hamlets::queries::find(conn, code)? else {
        return Ok(None);
    };
    let province = queries::find(conn, &hamlet.commune_code)?.and_then(|c| c.parent_code);
    Ok(Some((hamlet.commune_code, province, true)))
}

/// A unit's population figures: its own latest, or the sum of its communes' latest (a
/// commune's: of its current hamlets'), marked `derived`. Reference data like the map:
/// every signed-in caller and dashboard key reads them.
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
            if place(conn, &code)?.is_none() {
                return Err(ApiError::NotFound(msg::NOT_FOUND_UNIT));
            }
            service::effective(conn, &code)?.ok_or(ApiError::NotFound(msg::NOT_FOUND_POPULATION))
        })
        .await?;
    Ok(HttpResponse::Ok().json(figures))
}

/// Set a unit's population figures for a reference year (replacing those of that year). An
/// admin, a province supervisor for the province, its communes and their hamlets, or a
/// commune's supervisor for its hamlets. Audited.
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
            let (unit, parent, hamlet) =
                place(conn, &code)?.ok_or(ApiError::NotFound(msg::NOT_FOUND_UNIT))?;
            let in_scope = caller.scope.contains(Some(&unit), parent.as_deref());
            let allowed = match caller.role {
                Role::Admin => true,
                Role::ProvinceSupervisor => in_scope,
                Role::CommuneSupervisor => hamlet && in_scope,
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
