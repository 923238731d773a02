//! Resolving a credential into the caller at the HTTP edge: handlers that take an
//! [`AuthUser`] are protected, and a token of a disabled user or an older token generation
//! is refused; a [`Reader`] may also be a dashboard key.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures_util::future::LocalBoxFuture;

use crate::access::{Account, AuthUser, Reader, Role, Scope};
use crate::error::ApiError;
use crate::messages as msg;
use crate::state::AppState;

impl AuthUser {
    /// 403 unless the caller supervises (commune supervisor and up).
    pub fn require_supervisor(&self) -> Result<(), ApiError> {
        if self.role.is_supervisor() {
            Ok(())
        } else {
            Err(ApiError::Forbidden(msg::SUPERVISORS_ONLY))
        }
    }
}

fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
        .filter(|t| !t.is_empty())
}

/// Resolves the bearer credential: an access token of an active user, or (when
/// `allow_keys`) a live dashboard key, which reads its unit like a supervisor of that unit.
async fn authenticate(
    state: Option<web::Data<AppState>>,
    token: Option<String>,
    allow_keys: bool,
) -> Result<AuthUser, ApiError> {
    let state = state.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no app state")))?;
    let token = token.ok_or_else(|| ApiError::Unauthorized(msg::SEND_TOKEN))?;
    if token.starts_with(crate::apikeys::KEY_PREFIX) {
        if !allow_keys {
            return Err(ApiError::Forbidden(msg::KEYS_READ_ONLY));
        }
        return key_caller(&state, &token).await;
    }
    let claims = state
        .jwt
        .verify(&token)
        .ok_or_else(|| ApiError::Unauthorized(msg::BAD_TOKEN))?;
    // Users checked less than `GOCUA_AUTH_CACHE_SECS` ago are not read again; changes to a
    // user made through this node forget them at once (see `crate::recent` for others).
    let user = match state.sessions.get(&claims.sub) {
        Some(known) => Some(known),
        None => {
            let user_id = claims.sub.clone();
            let ticket = state.sessions.ticket();
            let found = state
                .primary(move |conn| {
                    Ok::<_, ApiError>(crate::users::queries::find(conn, &user_id)?)
                })
                .await?
                .map(|u| Account {
                    role: u.role(),
                    id: u.id,
                    phone: u.phone,
                    unit_code: u.unit_code,
                    active: u.active,
                    token_generation: u.token_generation,
                });
            if let Some(u) = found.as_ref().filter(|u| u.active) {
                state.sessions.put(ticket, u.id.clone(), u.clone());
            }
            found
        }
    };
    match user {
        Some(u) if u.active && u.token_generation == claims.r#gen => Ok(AuthUser {
            scope: Scope::of(u.role, u.unit_code.as_deref()),
            id: u.id,
            phone: u.phone,
            role: u.role,
            unit_code: u.unit_code,
        }),
        _ => Err(ApiError::Unauthorized(msg::SESSION_ENDED)),
    }
}

/// The caller behind a dashboard key: its unit's supervisor role, read-only by the
/// endpoints that accept it.
async fn key_caller(state: &AppState, key: &str) -> Result<AuthUser, ApiError> {
    let digest = crate::access::tokens::digest(key);
    let found = state
        .primary(move |conn| {
            let Some(row) = crate::apikeys::queries::find_live(conn, &digest)? else {
                return Ok::<_, ApiError>(None);
            };
            crate::apikeys::queries::touch(conn, &row.id, crate::clock::now())?;
            let kind = crate::units::queries::find(conn, &row.unit_code)?.map(|u| u.kind);
            Ok(Some((row, kind)))
        })
        .await?;
    let (row, kind) = found.ok_or_else(|| ApiError::Unauthorized(msg::BAD_KEY))?;
    let role = if kind.is_some_and(crate::units::UnitKind::is_province) {
        Role::ProvinceSupervisor
    } else {
        Role::CommuneSupervisor
    };
    Ok(AuthUser {
        scope: Scope::of(role, Some(&row.unit_code)),
        id: format!("api-key:{}", row.id),
        phone: String::new(),
        role,
        unit_code: Some(row.unit_code),
    })
}

/// The caller of `req`, left for the access log; `keys` lets a dashboard key in.
fn caller(req: &HttpRequest, keys: bool) -> LocalBoxFuture<'static, Result<AuthUser, ApiError>> {
    let auth = authenticate(
        req.app_data::<web::Data<AppState>>().cloned(),
        bearer(req),
        keys,
    );
    let req = req.clone();
    Box::pin(async move { auth.await.inspect(|user| remember(&req, user)) })
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        caller(req, false)
    }
}

impl FromRequest for Reader {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let caller = caller(req, true);
        Box::pin(async move { caller.await.map(Reader) })
    }
}

/// Leaves the caller's id for the access log.
fn remember(req: &HttpRequest, user: &AuthUser) {
    req.extensions_mut()
        .insert(crate::access_log::CallerId(user.id.clone()));
}
