//! `POST /api/v1/units/{commune_code}/hamlets`, `PATCH /api/v1/units/{code}` and the
//! commune's rearrangements: changes by the commune's supervisor, a province supervisor in
//! scope or an admin. Reading the map stays public to every signed-in caller
//! (`units::handlers`).

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::model::Rearrangement;
use super::rearrangements::{self, Merge, NewRearrangement, Split};
use super::service::{self, HamletError, NewHamlet};
use crate::access::{AuthUser, Reader};
use crate::error::{ApiError, ApiResult, field_errors};
use crate::extract::ApiJson;
use crate::messages as msg;
use crate::pagination::Page;
use crate::state::AppState;
use crate::units::model::{Unit, UnitKind, UnitLevel};

impl From<HamletError> for ApiError {
    fn from(e: HamletError) -> Self {
        match e {
            HamletError::NotFound => Self::NotFound(msg::NOT_FOUND_UNIT),
            HamletError::Forbidden => Self::Forbidden(msg::HAMLET_SETTERS_ONLY),
            HamletError::Invalid(errors) => Self::Validation(errors),
            HamletError::NameTaken => Self::Conflict(msg::HAMLET_NAME_TAKEN),
            HamletError::Database(e) => e.into(),
        }
    }
}

/// A new hamlet or residential group.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Tổ dân phố số 5", "kind": "to-dan-pho", "valid_from": "2026-07-01"}))]
pub struct CreateHamlet {
    /// Name, unique among the commune's current hamlets ignoring case and diacritics
    /// (1–100 characters).
    #[validate(custom(function = "crate::rules::name"))]
    pub name: String,
    /// Kind.
    pub kind: UnitKind,
    /// First day (default today).
    pub valid_from: Option<NaiveDate>,
}

/// A new name for a hamlet.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Tổ dân phố số 5A"}))]
pub struct RenameUnit {
    /// The new name (1–100 characters).
    #[validate(custom(function = "crate::rules::name"))]
    pub name: String,
}

/// Sáp nhập: two or more current hamlets become one new hamlet.
#[derive(Debug, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct MergeInput {
    /// Codes of the hamlets merged (at least two).
    #[validate(length(max = 100))]
    #[schema(min_items = 2, max_items = 100)]
    pub from: Vec<String>,
    /// Name of the new hamlet.
    #[validate(custom(function = "crate::rules::name"))]
    pub name: String,
    /// Its kind.
    pub kind: UnitKind,
}

/// One hamlet made by a split.
#[derive(Debug, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct SplitPart {
    /// Its name.
    #[validate(custom(function = "crate::rules::name"))]
    pub name: String,
    /// Its kind.
    pub kind: UnitKind,
}

/// Chia tách: one current hamlet becomes two or more new ones.
#[derive(Debug, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct SplitInput {
    /// Code of the hamlet split.
    pub from: String,
    /// The new hamlets (at least two).
    #[validate(length(max = 100), nested)]
    #[schema(min_items = 2, max_items = 100)]
    pub into: Vec<SplitPart>,
}

/// A rearrangement of a commune's hamlets on an effective date (ngày hiệu lực).
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"effective_on": "2026-07-01", "note": "Nghị quyết 12/NQ-HĐND", "merges": [{"from": ["00004-1", "00004-2"], "name": "Tổ dân phố số 1", "kind": "to-dan-pho"}], "splits": [{"from": "00004-3", "into": [{"name": "Tổ dân phố số 3A", "kind": "to-dan-pho"}, {"name": "Tổ dân phố số 3B", "kind": "to-dan-pho"}]}]}))]
pub struct RearrangementInput {
    /// The first day of the new hamlets; the closed ones end the day before.
    pub effective_on: NaiveDate,
    /// The decision behind it (at most 500 characters).
    #[validate(length(max = 500))]
    #[schema(max_length = 500)]
    pub note: Option<String>,
    /// Merges.
    #[serde(default)]
    #[validate(length(max = 100), nested)]
    #[schema(max_items = 100)]
    pub merges: Vec<MergeInput>,
    /// Splits.
    #[serde(default)]
    #[validate(length(max = 100), nested)]
    #[schema(max_items = 100)]
    pub splits: Vec<SplitInput>,
}

fn checked(body: &impl Validate) -> Result<(), ApiError> {
    body.validate()
        .map_err(|e| ApiError::Validation(field_errors(&e)))
}

/// Add a hamlet or residential group to a commune; its code is given by the server. The
/// commune's supervisor, a province supervisor in scope or an admin. Audited.
#[utoipa::path(
    tag = "units",
    params(("commune_code" = String, Path, description = "Commune code", example = "00004")),
    request_body = CreateHamlet,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The hamlet", body = Unit),
        (status = 403, description = "The role may not change hamlets"),
        (status = 404, description = "No such commune in the caller's scope"),
        (status = 409, description = "A current hamlet of the commune has this name"),
        (status = 422, description = "Invalid fields, or the unit is not a commune")
    )
)]
#[post("/units/{commune_code}/hamlets")]
pub async fn create_hamlet(
    caller: AuthUser,
    state: web::Data<AppState>,
    commune: web::Path<String>,
    ApiJson(body): ApiJson<CreateHamlet>,
) -> ApiResult<HttpResponse> {
    checked(&body)?;
    let new = NewHamlet {
        name: body.name,
        kind: body.kind,
        valid_from: body.valid_from,
    };
    let commune = commune.into_inner();
    let unit = state
        .write_records(move |conn| service::create(conn, &caller, &commune, new))
        .await?;
    Ok(HttpResponse::Created().json(unit))
}

/// Rename a hamlet or residential group (other levels: 422). Same roles as adding one.
/// Audited.
#[utoipa::path(
    tag = "units",
    params(("code" = String, Path, description = "Hamlet code", example = "00004-1")),
    request_body = RenameUnit,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The renamed hamlet", body = Unit),
        (status = 403, description = "The role may not change hamlets"),
        (status = 404, description = "No such unit in the caller's scope"),
        (status = 409, description = "A current hamlet of the commune has this name"),
        (status = 422, description = "Invalid name, a closed hamlet, or not a hamlet")
    )
)]
#[patch("/units/{code}")]
pub async fn rename_unit(
    caller: AuthUser,
    state: web::Data<AppState>,
    code: web::Path<String>,
    ApiJson(body): ApiJson<RenameUnit>,
) -> ApiResult<HttpResponse> {
    checked(&body)?;
    let code = code.into_inner();
    let unit = state
        .write_records(move |conn| service::rename(conn, &caller, &code, &body.name))
        .await?;
    Ok(HttpResponse::Ok().json(unit))
}

/// Rearrange a commune's hamlets (sáp nhập, chia tách) on an effective date, all of it or
/// nothing: the hamlets named close the day before, the new ones open on it, lineage is
/// kept both ways, and teams assigned a closed hamlet are assigned its successors. Same
/// roles as adding a hamlet. Audited.
#[utoipa::path(
    tag = "units",
    params(("commune_code" = String, Path, description = "Commune code", example = "00004")),
    request_body = RearrangementInput,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The rearrangement", body = Rearrangement),
        (status = 403, description = "The role may not change hamlets"),
        (status = 404, description = "No such commune in the caller's scope"),
        (status = 409, description = "A new name is a current hamlet's"),
        (status = 422, description = "A closed or foreign hamlet, a hamlet in two changes, a merge of fewer than two, a split into fewer than two, or an effective date before a hamlet began")
    )
)]
#[post("/units/{commune_code}/rearrangements")]
pub async fn create_rearrangement(
    caller: AuthUser,
    state: web::Data<AppState>,
    commune: web::Path<String>,
    ApiJson(body): ApiJson<RearrangementInput>,
) -> ApiResult<HttpResponse> {
    checked(&body)?;
    let new = NewRearrangement {
        effective_on: body.effective_on,
        note: body.note,
        merges: body
            .merges
            .into_iter()
            .map(|m| Merge {
                from: m.from,
                name: m.name,
                kind: m.kind,
            })
            .collect(),
        splits: body
            .splits
            .into_iter()
            .map(|s| Split {
                from: s.from,
                into: s.into.into_iter().map(|p| (p.name, p.kind)).collect(),
            })
            .collect(),
    };
    let commune = commune.into_inner();
    let done = state
        .write_records(move |conn| rearrangements::rearrange(conn, &caller, &commune, new))
        .await?;
    Ok(HttpResponse::Created().json(done))
}

/// A commune's rearrangements, latest effective date first. Public reference data like
/// the map.
#[utoipa::path(
    tag = "units",
    params(("commune_code" = String, Path, description = "Commune code", example = "00004")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The rearrangements (one page holds them all)", body = Page<Rearrangement>),
        (status = 404, description = "No such commune")
    )
)]
#[get("/units/{commune_code}/rearrangements")]
pub async fn list_rearrangements(
    Reader(_caller): Reader,
    state: web::Data<AppState>,
    commune: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let commune = commune.into_inner();
    let items = state
        .primary(move |conn| {
            let unit = crate::units::queries::find(conn, &commune)?
                .filter(|u| u.kind.level() == UnitLevel::Commune)
                .ok_or(ApiError::NotFound(msg::NOT_FOUND_UNIT))?;
            Ok::<_, ApiError>(rearrangements::list_rearrangements(conn, &unit.code)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        next_cursor: None,
    }))
}
