//! `GET /api/v1/units` and `GET /api/v1/units/{code}`. The map is public reference data:
//! every signed-in caller reads all of it, whatever their scope. A commune's hamlets are
//! listed with `parent=` the commune (those valid today, or on `as_of`); the list without
//! a parent or a hamlet `kind` holds the provinces and communes only, so that the country's
//! ~90,000 hamlets do not swamp it.

use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

use super::hamlets;
use super::model::{Unit, UnitKind, UnitLevel};
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
    /// Only units directly under this one (a province's communes, a commune's hamlets).
    #[param(example = "01")]
    pub parent: Option<String>,
    /// Hamlets valid on this day instead of today.
    pub as_of: Option<NaiveDate>,
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
    let hamlet_kind = query.kind.filter(|k| k.level() == UnitLevel::Hamlet);
    let any_kind = query.kind.is_some();
    let parent = query.parent.clone().filter(|p| !p.is_empty());
    let as_of = query.as_of.unwrap_or_else(crate::clock::today);
    let q = query
        .q
        .as_deref()
        .map(crate::text::fold)
        .filter(|q| !q.is_empty());
    let after_hamlet = after.clone();
    let listed = state
        .primary(move |conn| {
            let under_commune = match &parent {
                Some(p) => {
                    queries::find(conn, p)?.is_some_and(|u| u.kind.level() == UnitLevel::Commune)
                }
                None => false,
            };
            if !under_commune && hamlet_kind.is_none() {
                return Ok::<_, ApiError>(None);
            }
            let kind = hamlet_kind.map(UnitKind::as_str);
            let commune = parent.as_deref().filter(|_| under_commune);
            // A province's kind under a commune, or a hamlet kind under a province: nothing.
            if (parent.is_some() && commune.is_none()) || (any_kind && hamlet_kind.is_none()) {
                return Ok(Some(Vec::new()));
            }
            let filter = hamlets::queries::HamletFilter {
                commune,
                kind,
                q: q.as_deref(),
                day: as_of,
            };
            let rows =
                hamlets::queries::valid_on(conn, &filter, after_hamlet.as_deref(), limit + 1)?;
            Ok(Some(hamlets::service::as_units(conn, rows)?))
        })
        .await?;
    if let Some(units) = listed {
        let page = Page::from_rows(units, limit, |u| u.code.clone());
        return Ok(HttpResponse::Ok().json(page));
    }
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
    let unit = state
        .primary(move |conn| {
            Ok::<_, ApiError>(match queries::find(conn, &code)? {
                Some(row) => Some(Unit::from(row)),
                None => hamlets::service::unit(conn, &code)?,
            })
        })
        .await?
        .ok_or_else(|| ApiError::NotFound(msg::NOT_FOUND_UNIT))?;
    Ok(HttpResponse::Ok().json(unit))
}
