//! `/api/v1/auth/*` and `/api/v1/me*`: sign in, keep a session alive, sign out, change the
//! password.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::queries;
use super::service::{self, AuthError, Issuer, Session};
use crate::access::checks::CheckError;
use crate::access::{AuthUser, password, phone};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::extract::ApiJson;
use crate::messages as msg;
use crate::state::AppState;
use crate::units::Unit;
use crate::users::UserView;

/// Sign-in request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"phone": "0912345678", "password": "mật-khẩu-an-toàn"}))]
pub struct LoginRequest {
    /// Vietnamese mobile number in any usual spelling (`0912 345 678`, `+84912345678`).
    pub phone: String,
    /// Password.
    pub password: String,
}

/// Tokens of a session and who it belongs to.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// Short-lived JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: u64,
    /// Single-use token for `POST /api/v1/auth/refresh`.
    pub refresh_token: String,
    /// The signed-in user.
    pub user: UserView,
}

/// A refresh token, to renew or end a session.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token from the last sign-in or refresh.
    pub refresh_token: String,
}

/// Password change.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    /// The password in use now.
    pub current_password: String,
    /// The new password (8–128 characters).
    #[validate(custom(function = "crate::rules::new_password"))]
    pub new_password: String,
}

/// The caller, with their unit and teams.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// The user.
    #[serde(flatten)]
    pub user: UserView,
    /// The user's unit; `null` for admins.
    pub unit: Option<Unit>,
    /// The teams the user belongs to.
    pub teams: Vec<crate::teams::model::Membership>,
}

fn client_address(req: &HttpRequest, state: &AppState) -> String {
    crate::client_addr::client_ip(req, &state.config.trusted_proxies)
        .map(|ip| ip.to_string())
        .unwrap_or_default()
}

/// What issuing tokens needs of the state.
fn issuer(state: &AppState) -> Issuer<'_> {
    Issuer {
        jwt: &state.jwt,
        refresh_ttl: state.config.refresh_token_ttl,
    }
}

impl From<Session> for TokenResponse {
    fn from(session: Session) -> Self {
        Self {
            access_token: session.access_token,
            token_type: "Bearer".into(),
            expires_in: session.expires_in,
            refresh_token: session.refresh_token,
            user: session.user.into(),
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::Refused(why) => Self::Unauthorized(why),
            AuthError::Token(e) => Self::Internal(e),
            AuthError::Database(e) => e.into(),
        }
    }
}

fn wrong_credentials() -> ApiError {
    ApiError::Unauthorized(msg::BAD_LOGIN)
}

/// A password check that could not run: 429 (retry in a second) when the queue is full.
fn check_failed(e: CheckError) -> ApiError {
    match e {
        CheckError::Busy => ApiError::TooManyRequests(1),
        CheckError::Stopped => ApiError::Internal(anyhow::anyhow!(e)),
    }
}

/// Sign in with phone and password.
///
/// Failed attempts are limited per phone and per client address; past the limit the
/// answer is 429 with `Retry-After`, before the password is even checked.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 401, description = "Wrong phone or password, or the account is disabled"),
        (status = 429, description = "Too many failed attempts; see `Retry-After`",
            headers(("Retry-After" = u64, description = "Seconds to wait")))
    )
)]
#[post("/auth/login")]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<LoginRequest>,
) -> ApiResult<HttpResponse> {
    let phone = phone::normalize(&body.phone)
        .ok_or_else(|| ApiError::field("phone", "invalid_phone", msg::INVALID_PHONE))?;
    let address = client_address(&req, &state);
    let (st, phone_key, address_key) = (state.clone(), phone.clone(), address.clone());
    let user = state
        .primary(move |conn| {
            queries::login_wait(conn, &st.throttle, &phone_key, &address_key)?
                .map_err(ApiError::TooManyRequests)?;
            Ok::<_, ApiError>(crate::users::queries::find_by_phone(conn, &phone_key)?)
        })
        .await?;
    // The password is checked holding no database connection, so a login flood cannot
    // drain the pool, and on the low-priority check threads, so it cannot take the cores
    // record creation needs.
    let verified = state
        .password_checks
        .verify(
            body.password,
            user.as_ref().map(|u| u.password_hash.clone()),
        )
        .await
        .map_err(check_failed)?;
    let outcome = match user {
        Some(u) if verified && u.active => {
            let (st, phone_key) = (state.clone(), phone.clone());
            let tokens = state
                .primary(move |conn| {
                    queries::forget_login_failures(conn, &st.throttle, &phone_key)?;
                    Ok::<_, ApiError>(service::sign_in(conn, issuer(&st), u)?)
                })
                .await?;
            Some(TokenResponse::from(tokens))
        }
        _ => None,
    };
    match outcome {
        Some(tokens) => {
            tracing::info!(user_id = %tokens.user.id, "signed in");
            Ok(HttpResponse::Ok()
                .insert_header(crate::caching::no_store())
                .json(tokens))
        }
        None => {
            crate::metrics::login_failed();
            record_failure(&state, phone, address).await?;
            Err(wrong_credentials())
        }
    }
}

/// Counts a failed password against the phone and the address, for every server process.
async fn record_failure(
    state: &web::Data<AppState>,
    phone: String,
    address: String,
) -> ApiResult<()> {
    let st = state.clone();
    state
        .primary(move |conn| {
            Ok(queries::record_login_failure(
                conn,
                &st.throttle,
                &phone,
                &address,
            )?)
        })
        .await
}

/// Exchange a refresh token for a new pair (rotation).
///
/// The old refresh token stops working. Presenting a spent one again revokes the whole
/// login (every token descended from the same sign-in), since it means a copy leaked.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new token pair", body = TokenResponse),
        (status = 401, description = "Unknown, expired, revoked or reused refresh token")
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    let st = state.clone();
    let session = state
        .primary(move |conn| service::refresh(conn, issuer(&st), &body.refresh_token))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(crate::caching::no_store())
        .json(TokenResponse::from(session)))
}

/// Sign out: ends the login the refresh token belongs to.
///
/// Always 204, also for an unknown token, so the call is safe to repeat.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses((status = 204, description = "Signed out"))
)]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    state
        .primary(move |conn| service::sign_out(conn, &body.refresh_token))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The signed-in user, with role, unit and teams.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses((status = 200, description = "The caller", body = Me))
)]
#[get("/me")]
pub async fn me(caller: AuthUser, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let me = state
        .primary(move |conn| {
            let user = crate::users::queries::find(conn, &caller.id)?
                .ok_or_else(|| ApiError::NotFound(msg::NOT_FOUND_USER))?;
            let unit = match &user.unit_code {
                Some(code) => crate::units::queries::find(conn, code)?.map(Unit::from),
                None => None,
            };
            let teams = crate::teams::queries::memberships(conn, &user.id)?;
            Ok::<_, ApiError>(Me {
                user: user.into(),
                unit,
                teams,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(me))
}

/// Change the caller's password; every session of the user ends, this one included.
#[utoipa::path(
    tag = "auth",
    request_body = PasswordChange,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Changed; sign in again with the new password"),
        (status = 429, description = "Too many wrong current passwords")
    )
)]
#[post("/me/password")]
pub async fn change_password(
    req: HttpRequest,
    caller: AuthUser,
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<PasswordChange>,
) -> ApiResult<HttpResponse> {
    body.validate()?;
    let address = client_address(&req, &state);
    let phone = caller.phone.clone();
    // As at login, the passwords are hashed and checked holding no database connection.
    let user_id = caller.id.clone();
    let (st, phone_key, address_key) = (state.clone(), phone.clone(), address.clone());
    let user = state
        .primary(move |conn| {
            queries::login_wait(conn, &st.throttle, &phone_key, &address_key)?
                .map_err(ApiError::TooManyRequests)?;
            crate::users::queries::find(conn, &user_id)?
                .ok_or_else(|| ApiError::NotFound(msg::NOT_FOUND_USER))
        })
        .await?;
    let changed = state
        .password_checks
        .verify(body.current_password, Some(user.password_hash.clone()))
        .await
        .map_err(check_failed)?;
    if changed {
        let new_password = body.new_password;
        let hash = web::block(move || password::hash(&new_password))
            .await?
            .map_err(ApiError::Internal)?;
        state
            .primary(move |conn| service::set_password(conn, &user, hash))
            .await?;
        state.sessions.forget(&caller.id);
    }
    if !changed {
        record_failure(&state, phone, address).await?;
        return Err(ApiError::Validation(vec![FieldError::new(
            "current_password",
            "wrong_password",
            msg::WRONG_PASSWORD,
        )]));
    }
    Ok(HttpResponse::NoContent().finish())
}
