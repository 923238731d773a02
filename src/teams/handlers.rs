//! `/api/v1/teams`: supervisors in scope create, rename and deactivate teams and manage
//! their members; volunteers read the teams they belong to. Outside scope is 404.

use actix_web::{HttpResponse, delete, get, patch, post, put, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::access::readable;
use super::error::TeamError;
use super::model::{AREA_MAX, MemberRole, Team, TeamDetail, TeamRow};
use super::queries::{self, Visibility};
use super::service::{self, NewTeam, TeamUpdate};
use crate::access::AuthUser;
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult, field_errors};
use crate::extract::{ApiJson, ApiQuery};
use crate::messages as msg;
use crate::pagination::{Page, PageParams, keyset_cursor};
use crate::state::AppState;

impl From<TeamError> for ApiError {
    fn from(e: TeamError) -> Self {
        match e {
            TeamError::NotFound => Self::NotFound(msg::NOT_FOUND_TEAM),
            TeamError::Invalid(errors) => Self::Validation(errors),
            TeamError::UnitNotInScope => Self::NotFound(msg::NOT_FOUND_UNIT),
            TeamError::NameTaken => Self::Conflict(msg::TEAM_NAME_TAKEN),
            TeamError::UserNotFound => Self::NotFound(msg::NOT_FOUND_USER),
            TeamError::Inactive => Self::Conflict(msg::TEAM_INACTIVE),
            TeamError::NotAMember => Self::NotFound(msg::NOT_FOUND_MEMBER),
            TeamError::Database(e) => e.into(),
        }
    }
}

/// A new team.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"commune_code": "00004", "name": "Tổ công nghệ số cộng đồng số 1", "area": "Tổ dân phố 1–5"}))]
pub struct CreateTeam {
    /// The commune (xã, phường or đặc khu) the team works in.
    pub commune_code: String,
    /// Name, unique within the commune (1–100 characters).
    #[validate(custom(function = "crate::rules::name"))]
    pub name: String,
    /// Where the team works (at most 200 characters).
    #[validate(length(max = AREA_MAX))]
    pub area: Option<String>,
}

/// Changes to a team; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Tổ công nghệ số Ba Đình 1", "active": false}))]
pub struct UpdateTeam {
    /// New name.
    #[validate(custom(function = "crate::rules::name"))]
    pub name: Option<String>,
    /// New area (at most 200 characters).
    #[validate(length(max = AREA_MAX))]
    pub area: Option<String>,
    /// `false` deactivates the team: nobody can log records for it any more.
    pub active: Option<bool>,
}

/// A member's place in the team.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"role": "lead"}))]
pub struct PutMember {
    /// `lead` or `member`.
    pub role: MemberRole,
}

/// Filters of the team list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TeamQuery {
    /// Teams of this commune, or of every commune of this province.
    #[param(example = "00004")]
    pub unit: Option<String>,
    /// Items per page, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Cursor from the previous page.
    pub cursor: Option<String>,
}

/// Loads a team the caller may manage: 403 for volunteers, 404 outside scope.
fn manageable(conn: &mut DbConn, caller: &AuthUser, id: &str) -> ApiResult<TeamRow> {
    caller.require_supervisor()?;
    Ok(readable(conn, caller, id)?)
}

/// Create a team in a commune of the caller's scope.
#[utoipa::path(
    tag = "teams",
    request_body = CreateTeam,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Team),
        (status = 403, description = "Volunteers may not create teams"),
        (status = 404, description = "The commune is outside the caller's scope"),
        (status = 409, description = "The commune already has a team of this name")
    )
)]
#[post("/teams")]
pub async fn create_team(
    caller: AuthUser,
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<CreateTeam>,
) -> ApiResult<HttpResponse> {
    caller.require_supervisor()?;
    let errors = body
        .validate()
        .err()
        .map(|e| field_errors(&e))
        .unwrap_or_default();
    let new = NewTeam {
        commune_code: body.commune_code,
        name: body.name,
        area: body.area,
    };
    let team = state
        .primary(move |conn| service::create(conn, &caller, new, errors))
        .await?;
    Ok(HttpResponse::Created().json(team))
}

/// List the teams the caller can see, newest first: a supervisor's scope, or a volunteer's
/// own teams.
#[utoipa::path(
    tag = "teams",
    params(TeamQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Teams, newest first", body = Page<Team>),
        (status = 404, description = "`unit` is outside the caller's scope")
    )
)]
#[get("/teams")]
pub async fn list_teams(
    caller: AuthUser,
    state: web::Data<AppState>,
    ApiQuery(query): ApiQuery<TeamQuery>,
) -> ApiResult<HttpResponse> {
    let page = PageParams {
        limit: query.limit,
        cursor: query.cursor,
    };
    let (limit, after) = (page.limit()?, page.keyset()?);
    let rows = state
        .primary(move |conn| {
            if let Some(unit) = &query.unit {
                crate::units::require_in_scope(conn, &caller.scope, unit)?;
            }
            let visibility = if caller.role.is_supervisor() {
                Visibility::Scope(caller.scope.clone())
            } else {
                Visibility::MemberOf(caller.id.clone())
            };
            Ok::<_, ApiError>(queries::list(
                conn,
                &visibility,
                query.unit.as_deref(),
                after,
                limit + 1,
            )?)
        })
        .await?;
    let mut page =
        Page::from_rows(rows, limit, |t| keyset_cursor(t.created_at, &t.id)).map(Team::from);
    page.items = state
        .primary(move |conn| Ok::<_, ApiError>(service::with_hamlets(conn, page.items)?))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One team with its members.
#[utoipa::path(
    tag = "teams",
    params(("id" = String, Path, description = "Team id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The team and its members", body = TeamDetail),
        (status = 404, description = "No such team visible to the caller")
    )
)]
#[get("/teams/{id}")]
pub async fn get_team(
    caller: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let team = state
        .primary(move |conn| {
            let team = readable(conn, &caller, &id)?;
            service::detail(conn, team)
        })
        .await?;
    Ok(HttpResponse::Ok().json(team))
}

/// Rename a team, change its area, or deactivate or reactivate it.
#[utoipa::path(
    tag = "teams",
    params(("id" = String, Path, description = "Team id")),
    request_body = UpdateTeam,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The updated team", body = TeamDetail),
        (status = 403, description = "Volunteers may not change teams"),
        (status = 404, description = "No such team in the caller's scope"),
        (status = 409, description = "The commune already has a team of this name")
    )
)]
#[patch("/teams/{id}")]
pub async fn update_team(
    caller: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    ApiJson(body): ApiJson<UpdateTeam>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    // On the writer: the change moves the team's households on its phones too.
    let team = state
        .write_records(move |conn| {
            let team = manageable(conn, &caller, &id)?;
            body.validate()?;
            let update = TeamUpdate {
                name: body.name,
                area: body.area,
                active: body.active,
            };
            Ok::<_, ApiError>(service::update(conn, &caller, team, update)?)
        })
        .await?;
    state.memberships.clear();
    Ok(HttpResponse::Ok().json(team))
}

/// The hamlets a team works in.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"hamlet_codes": ["00004-1", "00004-2"]}))]
pub struct PutHamlets {
    /// Codes of current hamlets of the team's commune, each once (at most 200).
    #[validate(length(max = 200))]
    #[schema(max_items = 200)]
    pub hamlet_codes: Vec<String>,
}

/// Set the hamlets and residential groups a team works in (replacing the list). A
/// supervisor in scope. Audited.
#[utoipa::path(
    tag = "teams",
    params(("id" = String, Path, description = "Team id")),
    request_body = PutHamlets,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The team", body = TeamDetail),
        (status = 403, description = "Volunteers may not change teams"),
        (status = 404, description = "No such team in the caller's scope"),
        (status = 422, description = "A code that is not a current hamlet of the team's commune (`wrong_hamlet`, `hamlet_closed`), or given twice")
    )
)]
#[put("/teams/{id}/hamlets")]
pub async fn put_hamlets(
    caller: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    ApiJson(body): ApiJson<PutHamlets>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    // On the writer: the change moves the team's households on its phones too.
    let team = state
        .write_records(move |conn| {
            let team = manageable(conn, &caller, &id)?;
            body.validate()?;
            Ok::<_, ApiError>(service::set_hamlets(
                conn,
                &caller,
                team,
                body.hamlet_codes,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(team))
}

/// Add a user of the team's commune to the team, or change their place in it.
#[utoipa::path(
    tag = "teams",
    params(
        ("id" = String, Path, description = "Team id"),
        ("user_id" = String, Path, description = "User id")
    ),
    request_body = PutMember,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The team with its members", body = TeamDetail),
        (status = 403, description = "Volunteers may not manage members"),
        (status = 404, description = "No such team or user in the caller's scope"),
        (status = 409, description = "The team is deactivated")
    )
)]
#[put("/teams/{id}/members/{user_id}")]
pub async fn put_member(
    caller: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    ApiJson(body): ApiJson<PutMember>,
) -> ApiResult<HttpResponse> {
    let (id, user_id) = path.into_inner();
    let team = state
        .primary(move |conn| {
            let team = manageable(conn, &caller, &id)?;
            Ok::<_, ApiError>(service::put_member(
                conn, &caller, team, &user_id, body.role,
            )?)
        })
        .await?;
    state.memberships.clear();
    Ok(HttpResponse::Ok().json(team))
}

/// Remove a member from a team (their records stay).
#[utoipa::path(
    tag = "teams",
    params(
        ("id" = String, Path, description = "Team id"),
        ("user_id" = String, Path, description = "User id")
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, description = "Volunteers may not manage members"),
        (status = 404, description = "No such team in scope, or the user is not a member")
    )
)]
#[delete("/teams/{id}/members/{user_id}")]
pub async fn remove_member(
    caller: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (id, user_id) = path.into_inner();
    state
        .primary(move |conn| {
            let team = manageable(conn, &caller, &id)?;
            Ok::<_, ApiError>(service::remove_member(conn, &caller, &team, &user_id)?)
        })
        .await?;
    state.memberships.clear();
    Ok(HttpResponse::NoContent().finish())
}
