//! `GET /api/v1/units` and `GET /api/v1/units/{code}`. The map is public reference data:
//! every signed-in caller reads all of it, whatever their scope.

use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::model::{Unit, UnitKind};
use super::queries::{self, UnitFilter};
use crate::access::Reader;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::messages as msg;
use crate::pagination::{Page, PageParams};
use crate::state::AppState;

impl From<super::UnitError> for ApiError {
    fn from(e: super::UnitError) -> Self {
        match e {
            super::UnitError::NotInScope => Self::NotFound(msg::NOT_FOUND_UNIT),
            super::UnitError::Database(e) => e.into(),
        }
    }
}

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
        (status = 404, description = "No such unit")
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
