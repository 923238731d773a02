//! `/api/v1/users`: supervisors create and manage users of a lower role inside their scope.
//! Anything outside the caller's scope answers 404, exactly like something that does not
//! exist, so units cannot be probed for their staff.

use actix_web::{HttpResponse, get, patch, post, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::access::user_in_scope;
use super::model::{CreateUser, UserRow, UserView};
use super::queries::{self, UserFilter};
use super::service::{self, UserError, UserUpdate};
use crate::access::{AuthUser, Role};
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult, field_errors};
use crate::extract::{ApiJson, ApiQuery};
use crate::messages as msg;
use crate::pagination::{Page, PageParams, keyset_cursor};
use crate::state::AppState;

/// Changes to a user; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"full_name": "Nguyễn Thị Hoa", "active": false}))]
pub struct UpdateUser {
    /// New full name.
    #[validate(custom(function = "crate::rules::name"))]
    pub full_name: Option<String>,
    /// New role, lower than the caller's and fitting the user's unit.
    pub role: Option<Role>,
    /// `false` disables the account and ends its sessions at once.
    pub active: Option<bool>,
}

/// Filters of the user list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// Users of this unit or any unit under it.
    #[param(example = "01")]
    pub unit: Option<String>,
    /// Only this role.
    pub role: Option<Role>,
    /// Name or phone contains this text (diacritics optional).
    #[param(example = "hoa")]
    pub q: Option<String>,
    /// Items per page, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Cursor from the previous page.
    pub cursor: Option<String>,
}

/// What each refusal of the users service means on the wire.
impl From<UserError> for ApiError {
    fn from(e: UserError) -> Self {
        match e {
            UserError::Invalid(errors) => Self::Validation(errors),
            UserError::RoleTooHigh(role) => {
                Self::Forbidden(msg::lower_role_users_only(role.as_str()))
            }
            UserError::UnitNotFound => Self::NotFound(msg::NOT_FOUND_UNIT),
            UserError::PhoneTaken => Self::Conflict(msg::PHONE_TAKEN),
            UserError::UserNotFound => Self::NotFound(msg::NOT_FOUND_USER),
            UserError::Hashing(e) => Self::Internal(e),
            UserError::Database(e) => e.into(),
        }
    }
}

/// Loads a user the caller may see, or 404.
fn visible_user(conn: &mut DbConn, caller: &AuthUser, id: &str) -> ApiResult<UserRow> {
    let not_found = || ApiError::NotFound(msg::NOT_FOUND_USER);
    let user = queries::find(conn, id)?.ok_or_else(not_found)?;
    if user.id == caller.id {
        return Ok(user);
    }
    if user_in_scope(conn, caller, &user)? {
        Ok(user)
    } else {
        Err(not_found())
    }
}

/// Create a user of a lower role inside the caller's scope.
#[utoipa::path(
    tag = "users",
    request_body = CreateUser,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = UserView),
        (status = 403, description = "Volunteers may not create users, and nobody creates a user of their own role or higher"),
        (status = 404, description = "The unit is outside the caller's scope"),
        (status = 409, description = "The phone number is already registered")
    )
)]
#[post("/users")]
pub async fn create_user(
    caller: AuthUser,
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<CreateUser>,
) -> ApiResult<HttpResponse> {
    caller.require_supervisor()?;
    let view = state
        .primary(move |conn| {
            super::service::create(conn, body, Some(&caller))
                .map(UserView::from)
                .map_err(ApiError::from)
        })
        .await?;
    Ok(HttpResponse::Created().json(view))
}

/// List users in the caller's scope, newest first.
#[utoipa::path(
    tag = "users",
    params(UserQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Users, newest first", body = Page<UserView>),
        (status = 403, description = "Volunteers may not list users"),
        (status = 404, description = "`unit` is outside the caller's scope")
    )
)]
#[get("/users")]
pub async fn list_users(
    caller: AuthUser,
    state: web::Data<AppState>,
    ApiQuery(query): ApiQuery<UserQuery>,
) -> ApiResult<HttpResponse> {
    caller.require_supervisor()?;
    let page = PageParams {
        limit: query.limit,
        cursor: query.cursor,
    };
    let limit = page.limit()?;
    let after = page.keyset()?;
    let filter = UserFilter {
        unit: query.unit,
        role: query.role,
        q: query
            .q
            .map(|q| crate::text::fold(&q))
            .filter(|q| !q.is_empty()),
    };
    let rows = state
        .primary(move |conn| {
            if let Some(unit) = &filter.unit {
                crate::units::require_in_scope(conn, &caller.scope, unit)?;
            }
            Ok::<_, ApiError>(queries::list(
                conn,
                &caller.scope,
                &filter,
                after,
                limit + 1,
            )?)
        })
        .await?;
    let page =
        Page::from_rows(rows, limit, |u| keyset_cursor(u.created_at, &u.id)).map(UserView::from);
    Ok(HttpResponse::Ok().json(page))
}

/// One user in the caller's scope (or the caller).
#[utoipa::path(
    tag = "users",
    params(("id" = String, Path, description = "User id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The user", body = UserView),
        (status = 403, description = "Volunteers may only read themselves"),
        (status = 404, description = "No such user in the caller's scope")
    )
)]
#[get("/users/{id}")]
pub async fn get_user(
    caller: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    if id != caller.id {
        caller.require_supervisor()?;
    }
    let user = state
        .primary(move |conn| visible_user(conn, &caller, &id))
        .await?;
    Ok(HttpResponse::Ok().json(UserView::from(user)))
}

/// Rename, change the role of, disable or re-enable a user of a lower role in scope.
///
/// Disabling ends the user's sessions at once (access and refresh tokens).
#[utoipa::path(
    tag = "users",
    params(("id" = String, Path, description = "User id")),
    request_body = UpdateUser,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The updated user", body = UserView),
        (status = 403, description = "The user (or the new role) is not of a lower role than the caller's"),
        (status = 404, description = "No such user in the caller's scope")
    )
)]
#[patch("/users/{id}")]
pub async fn update_user(
    caller: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    ApiJson(body): ApiJson<UpdateUser>,
) -> ApiResult<HttpResponse> {
    caller.require_supervisor()?;
    let id = id.into_inner();
    let user = state
        .primary(move |conn| {
            let user = visible_user(conn, &caller, &id)?;
            if user.id == caller.id || user.role() >= caller.role {
                return Err(ApiError::Forbidden(msg::LOWER_ROLES_ONLY));
            }
            if body.role.is_some_and(|r| r >= caller.role) {
                return Err(ApiError::Forbidden(msg::LOWER_ROLES_GIVEN));
            }
            let errors = body
                .validate()
                .err()
                .map(|e| field_errors(&e))
                .unwrap_or_default();
            let update = UserUpdate {
                full_name: body.full_name,
                role: body.role,
                active: body.active,
            };
            Ok::<_, ApiError>(service::update(conn, &caller, user, update, errors)?)
        })
        .await?;
    // Role, unit and activity are what a session carries.
    state.sessions.forget(&user.id);
    Ok(HttpResponse::Ok().json(UserView::from(user)))
}
